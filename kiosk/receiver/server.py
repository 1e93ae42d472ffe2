"""HTTP layer of the reference receiver (``http.server``, one thread per connection).

Only transport concerns live here: the path, bearer-token authentication, body size, JSON parsing.
Every decision about the request itself is ``Ingestor.ingest``.
"""

from __future__ import annotations

import hmac
import json
import logging
import ssl
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kiosk.outbox.sealing import decode_private_key
from kiosk.receiver.ingest import Answer, Ingestor
from kiosk.receiver.store import ReceiverStore

log = logging.getLogger(__name__)

DEFAULT_PATH = "/v1/requests"
MAX_BODY_BYTES = 256 * 1024
ANY_KIOSK = "*"


class Tokens:
    """Accepted bearer tokens, each bound to one kiosk id (or ``*``: any kiosk id)."""

    def __init__(self, pairs: Mapping[str, str]) -> None:
        self._pairs = dict(pairs)  # token -> kiosk id

    @classmethod
    def parse(cls, specs: list[str]) -> Tokens:
        """``KIOSK_ID=TOKEN`` binds a token to a kiosk; a bare ``TOKEN`` is accepted from any kiosk."""
        pairs: dict[str, str] = {}
        for spec in specs:
            kiosk, separator, token = spec.partition("=")
            if separator:
                pairs[token.strip()] = kiosk.strip() or ANY_KIOSK
            else:
                pairs[spec.strip()] = ANY_KIOSK
        return cls({token: kiosk for token, kiosk in pairs.items() if token})

    def kiosk_for(self, header: str | None) -> str | None:
        """The kiosk id the Authorization header proves (``*`` for any), or None if it proves nothing."""
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        offered = token.strip().encode("utf-8")
        found = None
        # Compare against every token in constant time, so timing reveals nothing about any of them.
        for known, kiosk in self._pairs.items():
            if hmac.compare_digest(offered, known.encode("utf-8")):
                found = kiosk
        return found


class ReceiverHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        ingestor: Ingestor,
        tokens: Tokens,
        *,
        path: str = DEFAULT_PATH,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(address, ReceiverHandler)
        self.ingestor = ingestor
        self.tokens = tokens
        self.path = path
        self.scheme = "https" if ssl_context else "http"
        if ssl_context is not None:
            # Handshake lazily, in the connection's own thread, so one slow client cannot stall accept().
            self.socket = ssl_context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread: threading.Thread | None = None
        self._owns_store = False

    @classmethod
    def local(
        cls,
        db_path: Path | str,
        private_key_b64: str,
        tokens: list[str],
        *,
        port: int = 0,
        processing_delay: float = 0.0,
        stale_after: float = 60.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> ReceiverHTTPServer:
        """A receiver on 127.0.0.1 with its own store, for trials and tests; ``close()`` closes both."""
        store = ReceiverStore(db_path)
        ingestor = Ingestor(store, decode_private_key(private_key_b64),
                            processing_delay=processing_delay, stale_after=stale_after)
        try:
            server = cls(("127.0.0.1", port), ingestor, Tokens.parse(tokens), ssl_context=ssl_context)
        except BaseException:
            store.close()
            raise
        server._owns_store = True
        return server

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        host = self.server_address[0]
        return f"{self.scheme}://{host}:{self.port}{self.path}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that fail TLS or hang up are routine on a network; log them, keep stderr for bugs.
        error = sys.exc_info()[1]
        if isinstance(error, ssl.SSLError | ConnectionError | TimeoutError):
            log.info("connection from %s failed: %s", client_address[0], error)
            return
        super().handle_error(request, client_address)

    def start_in_thread(self) -> ReceiverHTTPServer:
        """Serve from a background thread (tests, trials); ``close()`` stops it."""
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="receiver", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()
        if self._owns_store:
            self.ingestor.store.close()


class ReceiverHandler(BaseHTTPRequestHandler):
    server: ReceiverHTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds per socket operation: an idle client does not hold a thread forever
    server_version = "kiosk-receiver"

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self._send(Answer(200, {"ok": True, "stored": self.server.ingestor.store.count()}))
        else:
            self._send(Answer(404, {"error": "not found"}))

    def do_POST(self) -> None:
        if self.path != self.server.path:
            self._send(Answer(404, {"error": f"POST requests to {self.server.path}"}))
            return
        kiosk = self.server.tokens.kiosk_for(self.headers.get("Authorization"))
        if kiosk is None:
            self._send(Answer(401, {"error": "missing or unknown bearer token"},
                              {"WWW-Authenticate": 'Bearer realm="kiosk"'}))
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None or not length_header.isdigit():
            self._send(Answer(411, {"error": "Content-Length is required"}))
            return
        length = int(length_header)
        if length > MAX_BODY_BYTES:
            self._send(Answer(413, {"error": f"the body must be at most {MAX_BODY_BYTES} bytes"}))
            return
        body = self.rfile.read(length)
        if len(body) != length:
            self.close_connection = True
            return  # the client went away mid-body: nothing to answer
        try:
            document: Any = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._send(Answer(400, {"error": "the body is not UTF-8 JSON"}))
            return
        answer = self.server.ingestor.ingest(
            self.headers.get("Idempotency-Key"),
            document,
            kiosk_id=None if kiosk == ANY_KIOSK else kiosk,
        )
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        payload = json.dumps(answer.body).encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)
