"""One HTTP(S) POST with a connect timeout and a hard deadline for the whole exchange.

Standard library only (``http.client``): nothing to pin, and it behaves the same in the frozen build.
Socket timeouts bound each read, but a server dripping one byte at a time could stretch an exchange
forever; a watchdog shuts the socket down when the deadline passes, which also serves ``abort()`` when
the kiosk shuts down mid-request.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_RESPONSE_BYTES = 64 * 1024  # a receipt is tiny; a huge answer is a misbehaving server


class TransportError(Exception):
    """No complete HTTP answer: refused, reset, timed out, TLS failure, aborted. Always worth a retry."""


class EndpointError(ValueError):
    """An endpoint URL the kiosk refuses to use; the message says what to change."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    reason: str
    headers: Mapping[str, str] = field(repr=False)  # lower-case names
    body: bytes = field(repr=False)


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    host: str
    port: int
    target: str  # path + query, as sent in the request line

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        """Accept ``https://`` anywhere, and plain ``http://`` only to this machine (trials, tests)."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise EndpointError(f"{url!r} is not an https:// address")
        if parts.username or parts.password:
            raise EndpointError("put credentials in delivery.token, not in the endpoint address")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise EndpointError(
                f"{url!r} uses plain http to another machine; use https:// (the bearer token must not "
                "cross the network in clear text)"
            )
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as error:
            raise EndpointError(f"{url!r}: {error}") from error
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.scheme, parts.hostname, port, target)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_ssl_context(ca_file: str | None = None) -> ssl.SSLContext:
    """System trust store, or only ``ca_file`` when the hospital runs its own CA. Always verified."""
    context = ssl.create_default_context(cafile=ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class AbortHandle:
    """Lets another thread cut the request currently using this handle short."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self.reason: str | None = None

    def abort(self, reason: str = "aborted") -> None:
        with self._lock:
            if self.reason is None:
                self.reason = reason
            if self._socket is not None:
                _shutdown(self._socket)

    def _attach(self, sock: socket.socket) -> None:
        with self._lock:
            self._socket = sock
            if self.reason is not None:
                _shutdown(sock)

    def _detach(self) -> None:
        with self._lock:
            self._socket = None


def _shutdown(sock: socket.socket) -> None:
    # The plain-socket shutdown works on TLS sockets too, without a TLS close_notify exchange that
    # could itself block; the thread blocked in recv() then sees end-of-file at once.
    with contextlib.suppress(OSError):  # already closed: nothing to interrupt
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def post(
    endpoint: Endpoint,
    body: bytes,
    headers: Mapping[str, str],
    *,
    ssl_context: ssl.SSLContext | None,
    connect_timeout: float,
    deadline: float,
    abort: AbortHandle | None = None,
) -> HttpResponse:
    """POST ``body``; raise ``TransportError`` unless a complete HTTP response arrives in time."""
    handle = abort or AbortHandle()
    started = time.monotonic()
    connection: http.client.HTTPConnection
    if endpoint.scheme == "https":
        connection = http.client.HTTPSConnection(
            endpoint.host, endpoint.port, timeout=min(connect_timeout, deadline),
            context=ssl_context or make_ssl_context(),
        )
    else:
        connection = http.client.HTTPConnection(
            endpoint.host, endpoint.port, timeout=min(connect_timeout, deadline)
        )
    watchdog: threading.Timer | None = None
    try:
        connection.connect()
        remaining = deadline - (time.monotonic() - started)
        if remaining <= 0:
            raise TransportError(f"no answer within {deadline:g} s")
        assert connection.sock is not None
        connection.sock.settimeout(remaining)
        handle._attach(connection.sock)
        reason = f"no complete answer within {deadline:g} s"
        watchdog = threading.Timer(remaining, handle.abort, args=(reason,))
        watchdog.daemon = True
        watchdog.start()
        connection.request("POST", endpoint.target, body=body, headers=dict(headers))
        response = connection.getresponse()
        data = response.read(MAX_RESPONSE_BYTES)
        result = HttpResponse(
            status=response.status,
            reason=response.reason or "",
            headers={name.lower(): value for name, value in response.getheaders()},
            body=data,
        )
    except TransportError:
        raise
    except ssl.SSLCertVerificationError as error:
        raise TransportError(f"the server's certificate was not accepted: {error.verify_message}") from error
    except (OSError, http.client.HTTPException, ValueError) as error:
        if handle.reason is not None:
            raise TransportError(handle.reason) from error
        raise TransportError(_describe(error)) from error
    finally:
        if watchdog is not None:
            watchdog.cancel()
        handle._detach()
        connection.close()
    # A complete answer wins even if the watchdog fired a moment later: its receipt is proof of delivery.
    return result


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the hospital's server running?)"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(error, socket.gaierror):
        return f"cannot resolve the server's name ({error.strerror})"
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}"
