"""HTTP layer of the reference receiver (``http.server``, one thread per connection, threads capped).

Only transport concerns live here: the path, bearer-token authentication, body size, JSON parsing,
connection limits and deadlines (``limits.ReceiverLimits``). Every decision about the request itself is
``Ingestor.ingest``. Whatever a client sends, it gets an HTTP answer with a JSON body, or is cut off
when its deadline passes.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import json
import logging
import re
import socket
import ssl
import sys
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kiosk.outbox.sealing import decode_private_key
from kiosk.receiver.ingest import Answer, Ingestor
from kiosk.receiver.limits import ReceiverLimits
from kiosk.receiver.refusal import Refuser
from kiosk.receiver.store import ReceiverStore

log = logging.getLogger(__name__)

DEFAULT_PATH = "/v1/requests"
MAX_BODY_BYTES = ReceiverLimits().max_body_bytes
ANY_KIOSK = "*"
_CONTENT_LENGTH = re.compile(r"[0-9]{1,15}")


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


class BodyError(ValueError):
    """A request body the receiver answers 400 to; the message says what is wrong, for IT staff."""


def parse_body(body: bytes, max_depth: int) -> Any:
    """The JSON document in ``body``; ``BodyError`` for anything that is not strict UTF-8 JSON.

    Python's parser raises more than ``JSONDecodeError``: RecursionError on deep nesting, ValueError on
    integers longer than ``sys.get_int_max_str_digits()``. It also accepts NaN and Infinity, which are not
    JSON, and lone surrogates, which no database column can hold.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError(f"the body is not UTF-8 (byte {error.start})") from error
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise BodyError(f"the body is nested deeper than {max_depth} levels") from error
    except json.JSONDecodeError as error:
        raise BodyError(f"the body is not JSON: {error.msg} at character {error.pos}") from error
    except ValueError as error:  # integers too long to convert, NaN/Infinity
        raise BodyError(f"the body is not usable JSON: {str(error)[:200]}") from error
    problem = _structure_problem(document, max_depth)
    if problem:
        raise BodyError(problem)
    return document


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _structure_problem(document: Any, max_depth: int) -> str | None:
    """Too deep, or text that is not valid Unicode (lone surrogates from ``\\ud800`` escapes)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: list[Any] = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "the body holds text that is not valid Unicode (a lone surrogate escape)"
            continue
        else:
            continue
        if depth > max_depth:
            return f"the body is nested deeper than {max_depth} levels"
        stack.extend((child, depth + 1) for child in children)
    return None


class _DeadlineReader(io.RawIOBase):
    """Reads from a connection, each read waiting at most the read timeout and never past the deadline.

    A socket timeout bounds one ``recv``; a client sending a byte every few seconds never trips it. This
    reader bounds the whole request: once the deadline passes, every read raises ``TimeoutError``.
    """

    def __init__(self, connection: socket.socket, read_timeout: float, deadline: float) -> None:
        super().__init__()
        self._connection = connection
        self._read_timeout = read_timeout
        self.deadline = deadline
        self.timed_out = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.timed_out = True
            raise TimeoutError("the request deadline has passed")
        self._connection.settimeout(min(self._read_timeout, remaining))
        try:
            return self._connection.recv_into(buffer)
        except TimeoutError:
            self.timed_out = True
            raise
        finally:
            with contextlib.suppress(OSError):
                self._connection.settimeout(self._read_timeout)


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
        limits: ReceiverLimits | None = None,
    ) -> None:
        self.limits = limits or ReceiverLimits()
        super().__init__(address, ReceiverHandler, bind_and_activate=False)
        # socketserver listens with a backlog of 5: a burst of kiosks overflows it and waits for SYN retries.
        self.request_queue_size = self.limits.listen_backlog
        try:
            self.server_bind()
            self.server_activate()
        except BaseException:
            self.server_close()
            raise
        self.ingestor = ingestor
        self.tokens = tokens
        self.path = path
        self.scheme = "https" if ssl_context else "http"
        if ssl_context is not None:
            # Handshake lazily, in the connection's own thread, so one slow client cannot stall accept().
            self.socket = ssl_context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )
        self._slots = threading.BoundedSemaphore(self.limits.max_connections)
        self._refuser: Refuser | None = Refuser(self.limits.retry_after_seconds, self.limits.refusal_queue)
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
        limits: ReceiverLimits | None = None,
    ) -> ReceiverHTTPServer:
        """A receiver on 127.0.0.1 with its own store, for trials and tests; ``close()`` closes both."""
        store = ReceiverStore(db_path)
        ingestor = Ingestor(store, decode_private_key(private_key_b64),
                            processing_delay=processing_delay, stale_after=stale_after)
        try:
            server = cls(("127.0.0.1", port), ingestor, Tokens.parse(tokens), ssl_context=ssl_context,
                         limits=limits)
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

    # --- connections: a capped number served, the rest refused at once --------------------------------
    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            if self._refuser is None or not self._refuser.refuse(request):
                log.warning("too many refused connections: one from %s closed unanswered", client_address[0])
                self.shutdown_request(request)
            return
        try:
            thread = threading.Thread(target=self._serve_connection, args=(request, client_address),
                                      name="receiver-connection", daemon=True)
            thread.start()
        except BaseException:
            self._slots.release()
            self.shutdown_request(request)
            raise

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._slots.release()

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

    def server_close(self) -> None:
        super().server_close()
        refuser, self._refuser = getattr(self, "_refuser", None), None
        if refuser is not None:
            refuser.close()

    def close(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()
        if self._owns_store:
            self.ingestor.store.close()


def _drain_before_close(connection: socket.socket, seconds: float, limit: int = 1024 * 1024) -> None:
    """Closing a socket with unread data makes the kernel send a reset, which can destroy the answer
    before the client reads it: stop writing, and read what the client still sends, for a moment."""
    with contextlib.suppress(OSError, ValueError):
        if not isinstance(connection, ssl.SSLSocket):
            connection.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + seconds
        received = 0
        while received < limit:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            connection.settimeout(remaining)
            chunk = connection.recv(65536)
            if not chunk:
                return
            received += len(chunk)


class ReceiverHandler(BaseHTTPRequestHandler):
    server: ReceiverHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "kiosk-receiver"

    def setup(self) -> None:
        limits = self.server.limits
        self.timeout = limits.read_timeout_seconds  # each socket operation; StreamRequestHandler applies it
        super().setup()
        self._reader = _DeadlineReader(self.connection, limits.read_timeout_seconds,
                                       time.monotonic() + limits.request_deadline_seconds)
        self.rfile = io.BufferedReader(self._reader)
        self._answered = False
        self._request_read = False
        # An answer before the request line is parsed (a timeout) needs these.
        self.requestline, self.command, self.request_version = "", "", "HTTP/1.1"

    def handle_one_request(self) -> None:
        super().handle_one_request()
        if self._reader.timed_out and not self._answered:
            # http.server drops a timed-out connection silently; say why, if the client still listens.
            log.info("%s: request not complete in time", self.client_address[0])
            with contextlib.suppress(OSError, ValueError):
                self.connection.settimeout(1.0)
                self._send(Answer(408, {"error": "the request was not complete in time"}))
        self.close_connection = True

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()
        if self._answered and not self._request_read:
            # Answered before reading the whole request (401, 411, 413, ...): let the answer get through.
            _drain_before_close(self.connection, min(1.0, self.server.limits.read_timeout_seconds))

    def do_GET(self) -> None:
        self._request_read = "Content-Length" not in self.headers and "Transfer-Encoding" not in self.headers
        if self.path == "/healthz":
            self._send(Answer(200, {"ok": True, "stored": self.server.ingestor.store.count()}))
        else:
            self._send(Answer(404, {"error": "not found"}))

    def do_POST(self) -> None:
        try:
            self._handle_post()
        except (TimeoutError, ConnectionError):
            raise
        except Exception:
            # A bug must still give the client an answer; the traceback goes to the receiver's log.
            log.exception("unexpected error while handling a POST")
            if not self._answered:
                self._send(Answer(500, {"error": "the receiver failed; try again later"}))

    def _handle_post(self) -> None:
        if self.path != self.server.path:
            self._send(Answer(404, {"error": f"POST requests to {self.server.path}"}))
            return
        kiosk = self.server.tokens.kiosk_for(self.headers.get("Authorization"))
        if kiosk is None:
            self._send(Answer(401, {"error": "missing or unknown bearer token"},
                              {"WWW-Authenticate": 'Bearer realm="kiosk"'}))
            return
        if self.headers.get("Transfer-Encoding") is not None:
            self._send(Answer(411, {"error": "send the body with a Content-Length, not Transfer-Encoding"}))
            return
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            self._send(Answer(411, {"error": "Content-Length is required"}))
            return
        if len(set(lengths)) != 1 or not _CONTENT_LENGTH.fullmatch(lengths[0].strip()):
            self._send(Answer(400, {"error": "Content-Length must be one whole number of bytes"}))
            return
        length = int(lengths[0].strip())
        limit = self.server.limits.max_body_bytes
        if length > limit:
            self._send(Answer(413, {"error": f"the body must be at most {limit} bytes"}))
            return
        body = self.rfile.read(length)
        if len(body) != length:
            self.close_connection = True
            return  # the client went away mid-body: nothing to answer
        self._request_read = True
        try:
            document = parse_body(body, self.server.limits.max_json_depth)
        except BodyError as error:
            self._send(Answer(400, {"error": str(error)}))
            return
        answer = self.server.ingestor.ingest(
            self.headers.get("Idempotency-Key"),
            document,
            kiosk_id=None if kiosk == ANY_KIOSK else kiosk,
        )
        self._send(answer)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, too many or too long headers) as JSON too."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "error"
        self.close_connection = True
        self._send(Answer(code, {"error": message or phrase}))

    def _send(self, answer: Answer) -> None:
        if self.request_version not in ("HTTP/1.0", "HTTP/1.1"):
            # http.server writes no status line to what it takes for HTTP/0.9 (any unparsable request).
            self.request_version = "HTTP/1.1"
        payload = json.dumps(answer.body).encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        self._answered = True
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)
