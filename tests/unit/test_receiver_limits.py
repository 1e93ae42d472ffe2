"""The reference receiver under hostile input and load, over real sockets on 127.0.0.1.

Malformed bodies get 400 with a JSON error (never a dropped connection); a flood of 1,000 connections is
answered 200 or 503 + Retry-After, with the connection threads capped; a client that drips its request
is cut off at the request deadline while others are served.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.receiver.limits import ReceiverLimits
from kiosk.receiver.server import ReceiverHTTPServer
from tests.receiver_clients import exchange, flood, post_bytes, request_for, sealed_document

TOKEN = "kiosk-one-secret-token-0123456789abcdef"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def receiver(tmp_path: Path, keys: tuple[str, str]) -> Iterator[ReceiverHTTPServer]:
    server = ReceiverHTTPServer.local(tmp_path / "receiver.db", keys[0], [f"lobby-1={TOKEN}"])
    server.start_in_thread()
    yield server
    server.close()


def headers_for(body: bytes, key: str = "0b0c8b1e-4a4e-4c47-9d3a-000000000001") -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json",
            "Idempotency-Key": key, "Content-Length": str(len(body))}


def sealed_body(public_key: str, **changes: object) -> tuple[bytes, str]:
    document: dict[str, object] = dict(sealed_document(public_key))
    document.update(changes)
    return json.dumps(document).encode("utf-8"), str(document["id"])


MALFORMED_BODIES = {
    "100,000 nested arrays": b"[" * 100_000,
    "50,000 nested objects": b'{"a":' * 50_000,
    "40 nested arrays, closed": b"[" * 40 + b"]" * 40,
    "a 100,000-digit number": b'{"id": ' + b"7" * 100_000 + b"}",
    "invalid UTF-8": b'{"id": "\xff\xfe"}',
    "truncated UTF-8": b'{"id": "\xe2\x82"}',
    "NaN": b'{"id": NaN}',
    "Infinity": b'{"age": -Infinity}',
    "a lone surrogate": b'{"kiosk_id": "\\ud800"}',
    "empty": b"",
    "not JSON": b"{not json",
    "a JSON array": b"[]",
    "a JSON number": b"7",
    "a JSON string": b'"text"',
    "null": b"null",
    "trailing garbage": b"{} {}",
}


@pytest.mark.parametrize("body", list(MALFORMED_BODIES.values()), ids=list(MALFORMED_BODIES))
def test_malformed_bodies_get_400_with_a_json_error(receiver: ReceiverHTTPServer, body: bytes) -> None:
    reply = exchange(receiver.port, post_bytes(receiver.path, body, headers_for(body)))
    assert reply.status == 400, reply
    assert reply.headers["content-type"] == "application/json"
    error = reply.json()["error"]  # type: ignore[index]
    assert isinstance(error, str) and error
    # The receiver is still there and still works.
    assert exchange(receiver.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").status == 200


@pytest.mark.parametrize(
    "change",
    [{"id": 5}, {"kiosk_id": ["lobby-1"]}, {"envelope": {"a": 1}}, {"envelope_sha256": None},
     {"reference": 12}, {"created_at": ""}, {"envelope": "é" * 40}],
    ids=["id number", "kiosk_id list", "envelope object", "sha null", "reference number", "empty date",
         "envelope not ascii"],
)
def test_wrong_field_types_get_a_json_4xx(
    receiver: ReceiverHTTPServer, keys: tuple[str, str], change: dict[str, object]
) -> None:
    body, key = sealed_body(keys[1], **change)
    reply = exchange(receiver.port, post_bytes(receiver.path, body, headers_for(body, key)))
    assert reply.status in (400, 422), reply
    assert reply.json()["error"]  # type: ignore[index]
    assert receiver.ingestor.store.count() == 0


@pytest.mark.parametrize(
    ("length_headers", "expected"),
    [(["abc"], 400), (["-1"], 400), (["1e3"], 400), (["²"], 400), (["10", "12"], 400),
     (["9" * 40], 400), ([], 411)],
    ids=["letters", "negative", "exponent", "superscript digit", "two lengths", "40 digits", "missing"],
)
def test_bad_content_length_gets_a_json_answer(
    receiver: ReceiverHTTPServer, length_headers: list[str], expected: int
) -> None:
    head = [f"POST {receiver.path} HTTP/1.1", "Host: x", f"Authorization: Bearer {TOKEN}"]
    head += [f"Content-Length: {value}" for value in length_headers]
    data = ("\r\n".join(head) + "\r\n\r\n").encode("utf-8") + b"{}"
    reply = exchange(receiver.port, data)
    assert reply.status == expected, reply
    assert reply.json()["error"]  # type: ignore[index]


def test_oversize_and_chunked_bodies_get_a_json_answer(receiver: ReceiverHTTPServer) -> None:
    body = b"x" * (receiver.limits.max_body_bytes + 1)
    reply = exchange(receiver.port, post_bytes(receiver.path, body, headers_for(body)))
    assert reply.status == 413 and "at most" in reply.json()["error"]  # type: ignore[index]
    chunked = post_bytes(receiver.path, b"2\r\n{}\r\n0\r\n\r\n",
                         {"Authorization": f"Bearer {TOKEN}", "Transfer-Encoding": "chunked"})
    reply = exchange(receiver.port, chunked)
    assert reply.status == 411 and reply.json()["error"]  # type: ignore[index]


@pytest.mark.parametrize(
    "data",
    [b"NONSENSE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
     b"GET /healthz HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n",
     b"GET /healthz HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n"],
    ids=["no request line", "bad version", "request line too long", "too many headers", "header too long"],
)
def test_broken_requests_get_a_json_error_too(receiver: ReceiverHTTPServer, data: bytes) -> None:
    reply = exchange(receiver.port, data)
    assert reply.status in (400, 414, 431, 505), reply
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["error"]  # type: ignore[index]


def test_a_valid_request_still_gets_its_receipt(receiver: ReceiverHTTPServer, keys: tuple[str, str]) -> None:
    body, key = sealed_body(keys[1])
    reply = exchange(receiver.port, post_bytes(receiver.path, body, headers_for(body, key)))
    assert reply.status == 200 and reply.json()["receipt"]  # type: ignore[index]
    assert receiver.ingestor.store.count() == 1


# --- load ----------------------------------------------------------------------------------------------


class ThreadSampler:
    """Counts the receiver's connection threads while a test runs."""

    def __init__(self) -> None:
        self.most = 0
        self.most_overall = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ThreadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            threads = threading.enumerate()
            self.most = max(self.most, sum(t.name == "receiver-connection" for t in threads))
            self.most_overall = max(self.most_overall, len(threads))


@pytest.mark.slow
def test_a_thousand_simultaneous_connections_are_each_answered(tmp_path: Path, keys: tuple[str, str]) -> None:
    limits = ReceiverLimits(max_connections=16)
    # Slow processing keeps every slot busy while the flood arrives, so the refusal path is exercised.
    server = ReceiverHTTPServer.local(tmp_path / "r.db", keys[0], [TOKEN], processing_delay=0.2, limits=limits)
    server.start_in_thread()
    documents = [sealed_document(keys[1]) for _ in range(1000)]
    requests = [request_for(document, server.path, TOKEN) for document in documents]
    threads_before = threading.active_count()
    try:
        with ThreadSampler() as sampler:
            result = flood(server.port, requests, give_up_after=120.0)
        stored = server.ingestor.store.count()
    finally:
        server.close()
    statuses = [reply.status for reply in result.replies]
    ok, busy = statuses.count(200), statuses.count(503)
    print(f"\n1000 connections: {ok} x 200, {busy} x 503, {result.seconds:.2f} s until every one was answered")
    assert result.connect_failures == 0 and result.unfinished == 0
    assert ok + busy == 1000, sorted(set(statuses), key=str)
    assert ok > 0 and busy > 0
    assert stored == ok, "every 200 is a stored request, and nothing else was stored"
    for reply in result.replies:
        if reply.status == 503:
            assert reply.headers["retry-after"] == "1" and reply.json()["error"]  # type: ignore[index]
    assert sampler.most <= limits.max_connections
    assert sampler.most_overall <= threads_before + limits.max_connections + 1  # + the sampler


def test_a_client_dripping_its_headers_is_cut_off_while_others_are_served(
    tmp_path: Path, keys: tuple[str, str]
) -> None:
    limits = ReceiverLimits(max_connections=4, read_timeout_seconds=2.0, request_deadline_seconds=1.5)
    server = ReceiverHTTPServer.local(tmp_path / "r.db", keys[0], [TOKEN], limits=limits).start_in_thread()
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n"
    outcomes: list[tuple[int, bytes]] = []

    def drip() -> None:
        sent = 0
        answer = b""
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
            try:
                for byte in request:
                    connection.sendall(bytes([byte]))
                    sent += 1
                    time.sleep(0.25)  # under the read timeout: only the request deadline can stop this
                    connection.setblocking(False)
                    try:
                        answer += connection.recv(4096)
                        if answer or sent == len(request):
                            break
                    except BlockingIOError:
                        pass
                    finally:
                        connection.setblocking(True)
                connection.settimeout(30)
                while chunk := connection.recv(4096):
                    answer += chunk
            except (BrokenPipeError, ConnectionResetError):
                pass
        outcomes.append((sent, answer))

    drippers = [threading.Thread(target=drip) for _ in range(3)]
    try:
        with ThreadSampler() as sampler:
            for thread in drippers:
                thread.start()
            time.sleep(0.3)
            served = exchange(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            for thread in drippers:
                thread.join(timeout=60)
    finally:
        server.close()
    assert served.status == 200, "a normal client is served while the slow ones hold their connections"
    assert not any(thread.is_alive() for thread in drippers), "a slow client was never cut off"
    assert len(outcomes) == 3
    for sent, answer in outcomes:
        assert sent < len(request), "the request deadline cut the client off before it finished"
        assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert sampler.most <= limits.max_connections


def test_limits_are_options_of_serve(tmp_path: Path) -> None:
    key = tmp_path / "private.key"
    subprocess.run([sys.executable, "-m", "kiosk.receiver", "keygen", "--private-key", str(key)],
                   check=True, capture_output=True, cwd=REPO_ROOT)
    refused = subprocess.run(
        [sys.executable, "-m", "kiosk.receiver", "serve", "--private-key", str(key), "--token", TOKEN,
         "--port", "0", "--db", str(tmp_path / "r.db"), "--max-connections", "0"],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=60,
    )
    assert refused.returncode == 2 and "max_connections must be more than 0" in refused.stderr
    help_text = subprocess.run([sys.executable, "-m", "kiosk.receiver", "serve", "--help"],
                               capture_output=True, text=True, check=True, cwd=REPO_ROOT).stdout
    for option in ("--max-connections", "--listen-backlog", "--read-timeout", "--request-deadline",
                   "--max-body-bytes", "--retry-after", "--refusal-queue", "--max-json-depth"):
        assert option in help_text


def test_limits_refuse_nonsense() -> None:
    for bad in ({"max_connections": 0}, {"request_deadline_seconds": float("nan")},
                {"read_timeout_seconds": float("inf")}, {"listen_backlog": -5}):
        with pytest.raises(ValueError, match="must be"):
            ReceiverLimits(**bad)  # type: ignore[arg-type]
