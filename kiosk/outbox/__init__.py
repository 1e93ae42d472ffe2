"""Consultation requests: validation, the durable sealed outbox, and delivery to the hospital.

Modules, one job each:

* ``request``  - the request model and ``validate_form`` (raw form fields -> request or messages)
* ``text``     - cleaning typed or pasted text (digits, bidi controls, length)
* ``sealing``  - encrypting a request to the hospital's public key
* ``store``    - ``Outbox``: SQLite store of sealed requests and their delivery state
* ``service``  - ``RequestService``: what the form calls (validate, enqueue, wake the sender)
* ``backoff``, ``http``, ``delivery`` - retry timing, one HTTPS POST, one delivery attempt
* ``worker``   - the delivery loop on its own thread (no Qt)
* ``sender``   - ``Sender``: the Qt-facing wrapper (signals, network reachability hints)

Nothing here imports Qt except ``sender``.
"""
