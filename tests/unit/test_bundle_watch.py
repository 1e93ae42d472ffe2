"""``BundleWatcher``: finds the newest valid bundle in a folder or at a URL, stages it off the UI thread,
and leaves the moment of activation to the app."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from nacl.signing import SigningKey

from kiosk.bundle.fetch import BundleFetcher, FetchLimits
from kiosk.bundle.library import ContentLibrary
from kiosk.bundle.watch import BundleWatcher
from tests.unit.test_bundle_support import edition, open_store


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def watcher_factory(qtbot) -> Iterator:
    made: list[BundleWatcher] = []

    def make(store, **kwargs) -> BundleWatcher:
        watcher = BundleWatcher(store, **kwargs)
        made.append(watcher)
        return watcher

    yield make
    for watcher in made:
        watcher.stop()


def shown_version(store) -> int | None:
    root = store.active_root()
    return None if root is None else ContentLibrary(root).manifest.version


def test_stages_the_newest_bundle_and_waits_for_the_app(tmp_path, key, qtbot, watcher_factory):
    store = open_store(tmp_path / "store", key)
    store.install(edition(tmp_path, key, 1))
    usb = tmp_path / "usb"
    usb.mkdir()
    for version in (2, 3):
        shutil.copy(edition(tmp_path, key, version), usb / f"content-v{version}.kbundle")
    watcher = watcher_factory(store, folder=usb)
    with qtbot.waitSignal(watcher.bundleStaged, timeout=20_000) as staged:
        watcher.check_now()
    assert staged.args == [str(usb / "content-v3.kbundle")]
    assert shown_version(store) == 1  # nothing changes until the app says so
    content = watcher.activate_staged()
    assert content == store.active_root() and shown_version(store) == 3
    assert watcher.activate_staged() is None

    # The files stay on the stick: later polls neither stage nor complain about them.
    with qtbot.assertNotEmitted(watcher.bundleStaged), qtbot.assertNotEmitted(watcher.bundleRefused):
        watcher.check_now()
        watcher.wait()
        qtbot.wait(100)  # let queued signals from the worker thread arrive


def test_reports_a_refused_bundle_once(tmp_path, key, qtbot, watcher_factory):
    store = open_store(tmp_path / "store", key)
    usb = tmp_path / "usb"
    usb.mkdir()
    shutil.copy(edition(tmp_path, SigningKey.generate(), 2), usb / "foreign.kbundle")
    watcher = watcher_factory(store, folder=usb)
    with qtbot.waitSignal(watcher.bundleRefused, timeout=20_000) as refused:
        watcher.check_now()
    assert "untrusted-key" in refused.args[0]
    with qtbot.assertNotEmitted(watcher.bundleRefused):
        watcher.check_now()
        watcher.wait()
        qtbot.wait(100)  # let queued signals from the worker thread arrive
    assert store.active_root() is None


def test_notices_an_install_by_another_process(tmp_path, key, qtbot, watcher_factory):
    store = open_store(tmp_path / "store", key)
    watcher = watcher_factory(store, folder=None)
    open_store(store.root, key).install(edition(tmp_path, key, 1))  # ``kiosk bundle install`` meanwhile
    with qtbot.waitSignal(watcher.activeChanged, timeout=20_000):
        watcher.check_now()


def test_stop_discards_a_staged_bundle_nobody_activated(tmp_path, key, qtbot, watcher_factory):
    store = open_store(tmp_path / "store", key)
    usb = tmp_path / "usb"
    usb.mkdir()
    shutil.copy(edition(tmp_path, key, 2), usb / "b.kbundle")
    watcher = watcher_factory(store, folder=usb)
    with qtbot.waitSignal(watcher.bundleStaged, timeout=20_000):
        watcher.check_now()
    watcher.stop()
    assert list(store.staging.iterdir()) == []
    assert store.active_root() is None


def test_stages_a_bundle_published_on_a_web_server(tmp_path, key, qtbot, watcher_factory):
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(edition(tmp_path, key, 2), site / "content.kbundle")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        store = open_store(tmp_path / "store", key)
        url = f"http://127.0.0.1:{server.server_address[1]}/content.kbundle"
        fetcher = BundleFetcher(url, store.root / "downloads", FetchLimits(10 << 20, 10.0))
        watcher = watcher_factory(store, fetcher=fetcher)
        with qtbot.waitSignal(watcher.bundleStaged, timeout=20_000):
            watcher.check_now()
        watcher.activate_staged()
        assert shown_version(store) == 2
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_built_from_config(tmp_path, key, config, qtbot):
    settings = config.with_overrides(bundles__watch_folder=str(tmp_path / "usb"),
                                     bundles__url="https://bundles.example.org/content.kbundle",
                                     bundles__poll_minutes=15)
    store = open_store(tmp_path / "store", key)
    watcher = BundleWatcher.from_config(settings, store)
    assert watcher.folder == tmp_path / "usb"
    assert watcher.fetcher is not None and watcher.fetcher.url.startswith("https://")
    assert watcher.url_interval_s == 15 * 60
    watcher.stop()


# --- a download never holds the USB folder check -----------------------------------------------------------
class _DripHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.set()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", str(10 << 20))
        self.end_headers()
        with contextlib.suppress(OSError):  # the kiosk hangs up when it stops
            for _ in range(100_000):
                self.wfile.write(b"K")
                self.wfile.flush()
                time.sleep(0.05)


class _DripServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _DripHandler)
        self.requests = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture
def drip_server() -> Iterator[_DripServer]:
    server = _DripServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_usb_bundle_is_staged_while_a_download_is_still_dripping(tmp_path, key, qtbot, watcher_factory,
                                                                   drip_server):
    store = open_store(tmp_path / "store", key)
    usb = tmp_path / "usb"
    usb.mkdir()
    url = f"http://127.0.0.1:{drip_server.server_address[1]}/content.kbundle"
    fetcher = BundleFetcher(url, store.root / "downloads", FetchLimits(20 << 20, 600.0, 60.0))
    watcher = watcher_factory(store, folder=usb, fetcher=fetcher)
    watcher.check_now()  # starts the download (and finds an empty folder)
    assert drip_server.requests.wait(10)
    shutil.copy(edition(tmp_path, key, 2), usb / "content-v2.kbundle")  # the technician plugs the stick in
    with qtbot.waitSignal(watcher.bundleStaged, timeout=20_000) as staged:
        watcher.check_now()
    assert staged.args == [str(usb / "content-v2.kbundle")]
    assert watcher.downloading, "the download must still be running: the USB check did not wait for it"
    watcher.activate_staged()
    assert shown_version(store) == 2
    watcher.stop()  # cuts the download short instead of waiting up to its deadline
    assert not watcher.downloading
    assert [event for event in store.last_events() if event["event"] == "refused"] == []


def test_download_deadlines_and_ca_file_come_from_the_settings(tmp_path, key, config):
    settings = config.with_overrides(bundles__url="https://bundles.example.org/content.kbundle",
                                     bundles__download_deadline_seconds=42.0,
                                     bundles__download_idle_seconds=7.0,
                                     bundles__ca_file=str(tmp_path / "hospital-ca.pem"))
    watcher = BundleWatcher.from_config(settings, open_store(tmp_path / "store", key))
    assert watcher.fetcher is not None
    assert (watcher.fetcher.limits.deadline_seconds, watcher.fetcher.limits.idle_seconds) == (42.0, 7.0)
    assert watcher.fetcher.ca_file == str(tmp_path / "hospital-ca.pem")
