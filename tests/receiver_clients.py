"""Raw-socket clients for the reference receiver: exact bytes, many connections at once, slow drips.

``http.client`` refuses to send most malformed requests and opens one connection at a time; these send
what a hostile or broken client would and read whatever comes back.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import selectors
import socket
import time
import uuid
from dataclasses import dataclass, field

from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.sealing import seal
from kiosk.outbox.store import format_timestamp


@dataclass
class Reply:
    status: int | None  # None: the connection ended without an HTTP answer
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> object:
        return json.loads(self.body.decode("utf-8"))


def parse_reply(data: bytes) -> Reply:
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator or not head.startswith(b"HTTP/1."):
        return Reply(None, body=data)
    lines = head.decode("iso-8859-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Reply(int(lines[0].split()[1]), headers, body)


def exchange(port: int, data: bytes, timeout: float = 30.0) -> Reply:
    """Send ``data`` on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        # The server may answer and close before reading everything; read what it said.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(data)
        return parse_reply(_read_all(connection))


def _read_all(connection: socket.socket) -> bytes:
    chunks = []
    try:
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def post_bytes(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def sealed_document(public_key: str, kiosk_id: str = "lobby-1", name: str = "Leyla Demir") -> dict[str, str]:
    """A request body as a kiosk sends it, sealed to ``public_key``."""
    request = ConsultationRequest(
        full_name=name, country="TR", phone="+905321234567", email="", contact_language="tr",
        channel="phone", relation="self", age=33, description="", consent=True,
        privacy_notice_version="2026-11", ui_language="tr",
    )
    envelope = seal(request.to_json_bytes(), public_key)
    return {
        "id": str(uuid.uuid4()),
        "reference": "K7QM-3XPA",
        "created_at": format_timestamp(time.time()) or "",
        "kiosk_id": kiosk_id,
        "envelope": base64.b64encode(envelope).decode("ascii"),
        "envelope_sha256": hashlib.sha256(envelope).hexdigest(),
    }


def request_for(document: dict[str, str], path: str, token: str) -> bytes:
    body = json.dumps(document).encode("utf-8")
    return post_bytes(path, body, {
        "Content-Type": "application/json", "Authorization": f"Bearer {token}",
        "Idempotency-Key": document["id"], "Content-Length": str(len(body)), "Connection": "close",
    })


@dataclass
class FloodResult:
    replies: list[Reply]
    connect_failures: int
    unfinished: int  # connections still open when the client gave up
    seconds: float  # from the first connect to the last answer (or the give-up time)


def flood(port: int, requests: list[bytes], give_up_after: float = 60.0) -> FloodResult:
    """Open one connection per request all at once, send each, and wait for every answer together."""
    started = time.monotonic()
    selector = selectors.DefaultSelector()
    buffers: dict[int, bytearray] = {}
    connections: list[socket.socket | None] = []
    connect_failures = 0
    for index, data in enumerate(requests):
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            connect_failures += 1
            connections.append(None)
            continue
        connections.append(connection)
        with contextlib.suppress(OSError):  # refused before the request was sent: the answer may be waiting
            connection.sendall(data)
        connection.setblocking(False)
        buffers[index] = bytearray()
        selector.register(connection, selectors.EVENT_READ, index)
    open_count = len(buffers)
    while open_count and time.monotonic() - started < give_up_after:
        for key, _events in selector.select(timeout=1.0):
            index = key.data
            try:
                chunk = key.fileobj.recv(65536)  # type: ignore[union-attr]
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if chunk:
                buffers[index] += chunk
            else:
                selector.unregister(key.fileobj)
                open_count -= 1
    seconds = time.monotonic() - started
    replies = []
    for index, connection in enumerate(connections):
        if connection is None:
            replies.append(Reply(None))
            continue
        replies.append(parse_reply(bytes(buffers[index])))
        connection.close()
    selector.close()
    return FloodResult(replies, connect_failures, open_count, seconds)
