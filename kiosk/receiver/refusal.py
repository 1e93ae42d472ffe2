"""Answering connections the receiver has no thread for: 503 with Retry-After, from one thread.

Every refused connection gets its answer without the accept loop waiting on it and without a thread of
its own: one thread multiplexes them all, non-blocking (TLS handshake included). After the answer the
socket is kept open for a moment and what the client still sends is read and dropped, because closing a
socket with unread data makes the kernel send a reset that can destroy the answer before it is read.
"""

from __future__ import annotations

import contextlib
import json
import logging
import selectors
import socket
import ssl
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

LINGER_SECONDS = 2.0  # for the TLS handshake, the answer, and the client to close its side


def refusal_bytes(retry_after: int) -> bytes:
    payload = json.dumps({"error": "the receiver is busy; try again shortly"}).encode("utf-8")
    head = (f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nRetry-After: {retry_after}\r\nConnection: close\r\n\r\n")
    return head.encode("ascii") + payload


@dataclass
class _Refused:
    connection: socket.socket
    deadline: float
    unsent: bytes
    handshaken: bool
    shut: bool = False


class Refuser:
    """Holds at most ``capacity`` refused connections at once; ``refuse`` says False when full."""

    def __init__(self, retry_after: int, capacity: int, linger_seconds: float = LINGER_SECONDS) -> None:
        self._answer = refusal_bytes(retry_after)
        self._capacity = capacity
        self._linger = linger_seconds
        self._lock = threading.Lock()
        self._incoming: list[socket.socket] = []
        self._held = 0
        self._closing = False
        self._selector = selectors.DefaultSelector()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        self._selector.register(self._wake_reader, selectors.EVENT_READ, None)
        self._thread = threading.Thread(target=self._run, name="receiver-refuser", daemon=True)
        self._thread.start()

    def refuse(self, connection: socket.socket) -> bool:
        with self._lock:
            if self._closing or self._held >= self._capacity:
                return False
            self._held += 1
            self._incoming.append(connection)
        self._wake()
        return True

    def close(self) -> None:
        with self._lock:
            self._closing = True
        self._wake()
        self._thread.join(timeout=10)

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_writer.send(b"\0")

    # --- the refusing thread ----------------------------------------------------------------------------
    def _run(self) -> None:
        live: dict[socket.socket, _Refused] = {}
        try:
            while True:
                with self._lock:
                    closing = self._closing
                    incoming, self._incoming = self._incoming, []
                if closing:
                    for connection in incoming:
                        self._finish(connection, live)
                    break
                for connection in incoming:
                    self._take(connection, live)
                now = time.monotonic()
                for refused in [r for r in live.values() if r.deadline <= now]:
                    self._finish(refused.connection, live)
                timeout = min((r.deadline for r in live.values()), default=now + 1.0) - now
                for key, _events in self._selector.select(timeout=max(0.01, min(timeout, 1.0))):
                    if key.fileobj is self._wake_reader:
                        with contextlib.suppress(BlockingIOError, OSError):
                            self._wake_reader.recv(4096)
                    elif key.fileobj in live:
                        self._progress(live[key.fileobj], live)  # type: ignore[index]
        finally:
            for connection in list(live):
                self._finish(connection, live)
            self._selector.close()
            self._wake_reader.close()
            self._wake_writer.close()

    def _take(self, connection: socket.socket, live: dict[socket.socket, _Refused]) -> None:
        try:
            connection.setblocking(False)
        except OSError:
            self._release(connection)
            return
        refused = _Refused(connection, time.monotonic() + self._linger, self._answer,
                           handshaken=not isinstance(connection, ssl.SSLSocket))
        live[connection] = refused
        self._selector.register(connection, selectors.EVENT_READ | selectors.EVENT_WRITE, None)
        self._progress(refused, live)

    def _progress(self, refused: _Refused, live: dict[socket.socket, _Refused]) -> None:
        """Move one connection on as far as it goes without waiting: handshake, answer, drain, close."""
        connection = refused.connection
        waiting_for = selectors.EVENT_READ
        try:
            if not refused.handshaken:
                connection.do_handshake()  # type: ignore[attr-defined]
                refused.handshaken = True
            waiting_for = selectors.EVENT_WRITE
            while refused.unsent:
                refused.unsent = refused.unsent[connection.send(refused.unsent):]
            if not refused.shut:
                refused.shut = True
                if not isinstance(connection, ssl.SSLSocket):
                    connection.shutdown(socket.SHUT_WR)
            waiting_for = selectors.EVENT_READ
            while connection.recv(65536):
                pass
            self._finish(connection, live)  # the client closed its side: done
        except ssl.SSLWantReadError:
            self._want(connection, selectors.EVENT_READ)
        except ssl.SSLWantWriteError:
            self._want(connection, selectors.EVENT_WRITE)
        except BlockingIOError:
            self._want(connection, waiting_for)
        except (OSError, ValueError) as error:
            log.info("a refused connection failed: %s", type(error).__name__)
            self._finish(connection, live)

    def _want(self, connection: socket.socket, events: int) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.modify(connection, events, None)

    def _finish(self, connection: socket.socket, live: dict[socket.socket, _Refused]) -> None:
        if live.pop(connection, None) is not None:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(connection)
        self._release(connection)

    def _release(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError):
            connection.close()
        with self._lock:
            self._held -= 1
