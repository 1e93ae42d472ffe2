"""A fault-injecting HTTP/TCP proxy on 127.0.0.1, scripted per connection.

Each accepted connection takes the next fault from the script (or the default when the script is
empty). With no upstream it doubles as a scripted server. It speaks just enough HTTP/1.1 to find the end
of a request (headers + Content-Length) and relies on ``Connection: close`` for the end of a response.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field

PASS = "pass"  # forward to the upstream, relay the answer
RESPOND = "respond"  # answer with a canned status, never reach the upstream
RESET = "reset"  # accept, then reset the connection at once (nothing read)
DROP_RESPONSE = "drop_response"  # forward, let the upstream answer (and commit), reset instead of relaying
STALL = "stall"  # read the request, never answer
DRIP = "drip"  # answer one byte at a time, slowly
CLOSE = "close"  # read the request, close without answering


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    byte_interval: float = 0.2

    def canned_response(self) -> bytes:
        lines = [f"HTTP/1.1 {self.status} Scripted", f"Content-Length: {len(self.body)}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


def respond(status: int, body: bytes = b"", **headers: str) -> Fault:
    return Fault(RESPOND, status, {name.replace("_", "-"): value for name, value in headers.items()}, body)


class FaultProxy:
    def __init__(self, upstream_port: int | None = None, default: Fault | None = None) -> None:
        self.upstream_port = upstream_port
        self.default = default or (Fault(PASS) if upstream_port else respond(404))
        self._script: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.1)
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self.requests: list[bytes] = []  # every complete request seen, head + body
        self.faults_used: list[str] = []
        self._acceptor = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def url(self, path: str = "/v1/requests") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, *faults: Fault) -> None:
        with self._lock:
            self._script.extend(faults)

    def pending_faults(self) -> int:
        with self._lock:
            return len(self._script)

    def start(self) -> FaultProxy:
        self._acceptor.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        if self._acceptor.is_alive():
            self._acceptor.join()
        with self._lock:
            for sock in list(self._open):
                _hard_close(sock)
            self._open.clear()
        for thread in self._threads:
            thread.join(5)
        self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals --

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                fault = self._script.popleft() if self._script else self.default
                self._open.add(client)
                self.faults_used.append(fault.kind)
            thread = threading.Thread(target=self._handle, args=(client, fault), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, client: socket.socket, fault: Fault) -> None:
        client.settimeout(10)
        try:
            if fault.kind == RESET:
                _reset(client)
                return
            request = _read_request(client)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
            if fault.kind == RESPOND:
                client.sendall(fault.canned_response())
            elif fault.kind == PASS:
                client.sendall(self._forward(request))
            elif fault.kind == DROP_RESPONSE:
                self._forward(request)  # the upstream has answered, so it has committed
                _reset(client)
            elif fault.kind == STALL:
                self._stopping.wait(30)
            elif fault.kind == DRIP:
                for byte in fault.canned_response():
                    if self._stopping.wait(fault.byte_interval):
                        break
                    client.sendall(bytes([byte]))
            elif fault.kind == CLOSE:
                pass
        except OSError:
            pass  # the kiosk gave up on this connection: that is what several faults are for
        finally:
            with self._lock:
                self._open.discard(client)
            _hard_close(client)

    def _forward(self, request: bytes) -> bytes:
        assert self.upstream_port is not None, "PASS needs an upstream"
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as upstream:
            upstream.sendall(request)
            chunks = []
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                chunks.append(data)
        return b"".join(chunks)


def _read_request(client: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head + b"\r\n\r\n" + body


def _reset(sock: socket.socket) -> None:
    # SO_LINGER with a zero timeout turns close() into a TCP RST: "connection reset by peer".
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    _hard_close(sock)


def _hard_close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()


def wait_until(predicate: object, timeout: float = 10.0, interval: float = 0.02) -> bool:
    """Poll ``predicate()`` until it is true or ``timeout`` passes (tests only)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(interval)
    return bool(predicate())  # type: ignore[operator]
