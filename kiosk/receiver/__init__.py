"""Reference receiver for the delivery contract (``docs/delivery-contract.md``).

For IT trials and for tests: a small HTTP(S) server that accepts kiosk requests exactly once per
Idempotency-Key, opens the sealed envelopes with the hospital's private key and keeps the requests in its
own SQLite file. A hospital's real system implements the same contract in its own stack.

* ``opening``  - opening a sealed envelope (the only code that can)
* ``store``    - the receiver's SQLite store, with the idempotency reservation
* ``ingest``   - the contract's decisions, shared by HTTP and by export-folder import
* ``server``   - the HTTP layer
* ``commands`` - ``kiosk receiver keygen|serve|list|import``
"""
