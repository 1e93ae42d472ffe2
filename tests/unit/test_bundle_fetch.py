"""``BundleFetcher`` against a real HTTP server on 127.0.0.1: conditional requests, size cap, deadline
(also against a server that drips its headers), redirects, errors."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk.bundle.errors import BundleRefused
from kiosk.bundle.fetch import BundleFetcher, FetchError, FetchLimits

BODY = b"KBUNDLE1\n" + bytes(range(256)) * 40


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: Server

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:
        self.server.seen.append((self.path, dict(self.headers)))
        with contextlib.suppress(OSError):
            getattr(self, "route_" + self.path.strip("/").replace("-", "_"), self.route_missing)()

    def route_bundle(self) -> None:
        if self.headers.get("If-None-Match") == self.server.etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", self.server.etag)
        self.send_header("Last-Modified", "Sat, 28 Nov 2026 10:00:00 GMT")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def route_big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(10**9))
        self.end_headers()

    def route_endless(self) -> None:
        self.send_response(200)  # no length: the body ends when the connection does, i.e. never
        self.end_headers()
        for _ in range(10_000):
            self.wfile.write(bytes(64 * 1024))

    def route_drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.02)

    def route_drip_headers(self) -> None:
        self.wfile.write(b"HTTP/1.0 200 OK\r\n")
        for _ in range(1000):
            self.wfile.write(b"X-Slow: y\r\n")
            self.wfile.flush()
            time.sleep(0.02)

    def route_stall(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY[:10])
        self.wfile.flush()
        self.server.release.wait(10)  # then nothing at all until the test is over

    def route_short(self) -> None:
        self.send_response(200)
        self.send_header("ETag", '"short"')
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY[:100])

    def route_moved(self) -> None:
        self.send_response(302)
        self.send_header("Location", "/bundle")
        self.end_headers()

    def route_missing(self) -> None:
        self.send_error(404)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.etag = '"v1"'
        self.body = BODY
        self.release = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up on purpose is the point of several tests

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@pytest.fixture
def server() -> Iterator[Server]:
    instance = Server()
    thread = threading.Thread(target=instance.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield instance
    instance.release.set()
    instance.shutdown()
    instance.server_close()
    thread.join()


def fetcher(server: Server, path: str, tmp_path: Path, max_bytes: int = 1 << 20,
            deadline: float = 5.0, idle: float = 60.0) -> BundleFetcher:
    return BundleFetcher(server.url(path), tmp_path / "downloads", FetchLimits(max_bytes, deadline, idle))


def test_downloads_once_then_asks_conditionally(server, tmp_path):
    client = fetcher(server, "/bundle", tmp_path)
    path = client.fetch()
    assert path is not None and path.read_bytes() == BODY
    assert client.fetch() is None
    headers = server.seen[-1][1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Sat, 28 Nov 2026 10:00:00 GMT"
    server.etag, server.body = '"v2"', BODY + b"more"
    assert client.fetch().read_bytes() == BODY + b"more"


def test_declared_size_over_the_cap_is_refused_before_downloading(server, tmp_path):
    with pytest.raises(BundleRefused) as caught:
        fetcher(server, "/big", tmp_path).fetch()
    assert caught.value.reason == "download-too-big"
    assert list((tmp_path / "downloads").iterdir()) == []


def test_endless_body_is_cut_at_the_cap(server, tmp_path):
    with pytest.raises(BundleRefused) as caught:
        fetcher(server, "/endless", tmp_path, max_bytes=300_000).fetch()
    assert caught.value.reason == "download-too-big"
    assert list((tmp_path / "downloads").iterdir()) == []


@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_slow_server_hits_the_total_deadline(server, tmp_path, path):
    started = time.monotonic()
    with pytest.raises(BundleRefused) as caught:
        fetcher(server, path, tmp_path, deadline=0.6).fetch()
    assert caught.value.reason == "deadline"
    assert time.monotonic() - started < 3
    assert list((tmp_path / "downloads").iterdir()) == []


def test_redirect_is_followed(server, tmp_path):
    assert fetcher(server, "/moved", tmp_path).fetch().read_bytes() == BODY


def test_http_errors_and_refused_addresses(server, tmp_path):
    with pytest.raises(FetchError, match="404"):
        fetcher(server, "/nothing", tmp_path).fetch()
    limits = FetchLimits(1000, 1.0)
    for url in ("http://example.org/b.kbundle", "ftp://127.0.0.1/b.kbundle", "file:///etc/passwd"):
        with pytest.raises(FetchError):
            BundleFetcher(url, tmp_path / "d", limits)


def test_unreachable_server_is_a_retryable_error(tmp_path):
    with pytest.raises(FetchError):
        BundleFetcher("http://127.0.0.1:9/b.kbundle", tmp_path / "d", FetchLimits(1000, 2.0)).fetch()


def test_a_cut_off_download_is_retried_not_remembered(server, tmp_path):
    client = fetcher(server, "/short", tmp_path)
    with pytest.raises(FetchError, match="stopped after 100"):
        client.fetch()
    with pytest.raises(FetchError):
        client.fetch()
    assert "If-None-Match" not in server.seen[-1][1]


def test_a_server_that_goes_silent_is_a_retryable_error_not_a_refusal(server, tmp_path):
    client = fetcher(server, "/stall", tmp_path, deadline=60.0, idle=0.5)
    with pytest.raises(FetchError, match=r"sent nothing for 0\.5 seconds"):
        client.fetch()
    assert list((tmp_path / "downloads").iterdir()) == []


def test_cancel_cuts_a_dripping_download_short(server, tmp_path):
    client = fetcher(server, "/drip", tmp_path, deadline=60.0)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            client.fetch()
        except BaseException as error:  # handed to the test thread
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    while not server.seen:
        time.sleep(0.01)
    client.cancel()
    thread.join(20)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], FetchError) and "cancelled" in str(outcome[0])
    assert list((tmp_path / "downloads").iterdir()) == []


# --- bundles.ca_file: a hospital CA --------------------------------------------------------------------
@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    import shutil
    import ssl

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    from tests.unit.test_receiver_tls import make_ca_and_server_cert

    folder = tmp_path / "pki"
    folder.mkdir()
    ca, cert, key = make_ca_and_server_cert(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    instance = Server()
    instance.socket = context.wrap_socket(instance.socket, server_side=True)
    thread = threading.Thread(target=instance.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield instance, ca
    instance.shutdown()
    instance.server_close()
    thread.join()


def test_https_download_trusts_the_hospital_ca_only_with_ca_file(https_server, tmp_path):
    server, ca = https_server
    url = server.url("/bundle").replace("http://", "https://")
    limits = FetchLimits(1 << 20, 10.0, 10.0)
    with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
        BundleFetcher(url, tmp_path / "without", limits).fetch()
    assert BundleFetcher(url, tmp_path / "with", limits, ca_file=str(ca)).fetch().read_bytes() == BODY

    with pytest.raises(FetchError, match=r"bundles\.ca_file"):
        BundleFetcher(url, tmp_path / "missing", limits, ca_file=str(tmp_path / "no-such-ca.pem")).fetch()
