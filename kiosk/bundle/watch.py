"""``BundleWatcher``: finds new bundles (a watched folder, an HTTPS address) and stages them.

A file refused once is remembered by the store (``refusal_of``) and skipped from then on, across restarts.
It never swaps content itself: it emits ``bundleStaged`` once a bundle is verified, unpacked and checked,
and the app activates it when the screen is idle (``activate_staged()``), so a patient never has the
page change under their finger. Checks run on worker threads (reading a USB stick or a slow network
must not freeze the UI); signals reach the receivers' thread through Qt's queued connections.

The folder check and the download have a thread each: a server dripping its bytes holds only the
download (until ``bundles.download_deadline_seconds``), never the USB stick a technician just plugged
in. Staging is one at a time (``_stage_lock``), whichever thread found the file.
QtCore only: services never import widgets.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.bundle.archive import SUFFIX
from kiosk.bundle.errors import BundleRefused, Limits
from kiosk.bundle.fetch import BundleFetcher, FetchError, FetchLimits
from kiosk.bundle.store import BundleStore, StagedBundle, StoreError
from kiosk.config import Config

log = logging.getLogger("kiosk.bundle")


class BundleWatcher(QObject):
    bundleStaged = Signal(str)  # the source file of a bundle now ready for activate_staged()
    bundleRefused = Signal(str)  # why a new bundle was refused (for the admin screen and the log)
    activeChanged = Signal()  # the active bundle changed behind our back (``kiosk bundle install``)

    def __init__(
        self,
        store: BundleStore,
        folder: Path | None = None,
        fetcher: BundleFetcher | None = None,
        folder_interval_ms: int = 30_000,
        url_interval_ms: int = 60 * 60_000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.folder = folder
        self.fetcher = fetcher
        self.url_interval_s = url_interval_ms / 1000
        self.last_error = ""
        self._pending: StagedBundle | None = None
        self._seen: set[tuple[str, int, int]] = set()
        self._known_active = store.active_name()
        self._last_url_poll = float("-inf")
        self._lock = threading.Lock()
        self._stage_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._downloader: threading.Thread | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(folder_interval_ms)
        self._timer.timeout.connect(self.check_now)

    @classmethod
    def from_config(cls, config: Config, store: BundleStore, parent: QObject | None = None) -> BundleWatcher:
        folder = Path(config["bundles.watch_folder"]) if config["bundles.watch_folder"] else None
        fetcher = None
        if config["bundles.url"]:
            limits = Limits.from_config(config)
            fetcher = BundleFetcher(
                config["bundles.url"], store.root / "downloads",
                FetchLimits(limits.max_download_bytes, limits.download_deadline_seconds,
                            float(config["bundles.download_idle_seconds"])),
                ca_file=str(config["bundles.ca_file"]).strip() or None)
        return cls(store, folder, fetcher, url_interval_ms=int(config["bundles.poll_minutes"]) * 60_000,
                   parent=parent)

    # --- control --------------------------------------------------------------------------------------
    def start(self) -> None:
        if self.fetcher is not None:
            self.fetcher.resume()
        self._timer.start()
        self.check_now()

    def stop(self) -> None:
        """Stop polling, cut a running download short and wait for running checks (before the app quits)."""
        self._timer.stop()
        if self.fetcher is not None:
            self.fetcher.cancel()
        for thread in (self._downloader, self._worker):
            if thread is not None:
                thread.join(timeout=30)
        with self._lock:
            if self._pending is not None:
                self._pending.discard()
                self._pending = None

    def check_now(self) -> None:
        """Start a folder check unless one is running, and a download when one is due and none is running."""
        if self._download_due():
            self._last_url_poll = time.monotonic()
            self._downloader = threading.Thread(target=self._download, name="bundle-download", daemon=True)
            self._downloader.start()
        if self._worker is not None and self._worker.is_alive():
            return
        self._worker = threading.Thread(target=self._check, name="bundle-watcher", daemon=True)
        self._worker.start()

    def wait(self, timeout: float = 30.0) -> None:
        """Block until the current folder check and download are done (tests, the CLI)."""
        for thread in (self._worker, self._downloader):
            if thread is not None:
                thread.join(timeout)

    @property
    def downloading(self) -> bool:
        return self._downloader is not None and self._downloader.is_alive()

    def _download_due(self) -> bool:
        return (self.fetcher is not None and not self.downloading
                and time.monotonic() - self._last_url_poll >= self.url_interval_s)

    # --- activation (the app calls this at an idle moment) --------------------------------------------
    def take_staged(self) -> StagedBundle | None:
        with self._lock:
            staged, self._pending = self._pending, None
        return staged

    def activate_staged(self) -> Path | None:
        """Activate the staged bundle, if any; returns its content folder for the library to reload."""
        staged = self.take_staged()
        if staged is None:
            return None
        try:
            content = self.store.activate(staged)
        except (BundleRefused, StoreError) as error:
            self.last_error = str(error)
            self.bundleRefused.emit(str(error))
            return None
        finally:
            staged.discard()
        self._known_active = self.store.active_name()
        return content

    # --- worker ---------------------------------------------------------------------------------------
    def _check(self) -> None:
        try:
            self._check_active()
            candidates = self._candidates()
            with self._stage_lock:
                self._stage_best(candidates)
        except Exception as error:  # a watcher must survive anything a USB stick throws
            log.exception("bundle check failed")
            self.last_error = str(error)

    def _download(self) -> None:
        fetcher = self.fetcher
        assert fetcher is not None
        try:
            if fetcher.fetch() is not None:
                self.store.forget_download_refusal(fetcher.url)
        except FetchError as error:
            log.info("bundle download failed (will retry): %s", error)
            self.last_error = str(error)
        except BundleRefused as refusal:
            self.store.record_refusal(fetcher.url, refusal)
            self._refused(fetcher.url, refusal)
        except Exception as error:  # a watcher must survive anything a network throws
            log.exception("bundle download failed")
            self.last_error = str(error)
        try:
            if fetcher.download_path.is_file():
                with self._stage_lock:
                    self._stage_best([fetcher.download_path])
        except Exception as error:
            log.exception("bundle check failed")
            self.last_error = str(error)

    def _check_active(self) -> None:
        active = self.store.active_name()
        if active != self._known_active:
            self._known_active = active
            self.activeChanged.emit()

    def _candidates(self) -> list[Path]:
        found: list[Path] = []
        if self.folder is not None and self.folder.is_dir():
            found += [p for p in self.folder.glob(f"*{SUFFIX}") if not p.name.startswith(".") and p.is_file()]
        # A file downloaded earlier (os.replace makes it whole) competes with the folder's; a running download
        # writes elsewhere until it is complete.
        if self.fetcher is not None and self.fetcher.download_path.is_file():
            found.append(self.fetcher.download_path)
        return found

    def _stage_best(self, candidates: list[Path]) -> None:
        with self._lock:
            floor = self._pending.manifest.version if self._pending is not None else 0
        acceptable = []
        for path in candidates:
            try:
                stat = path.stat()
            except OSError:
                continue
            key = (str(path), stat.st_mtime_ns, stat.st_size)
            if key in self._seen:
                continue
            if self.store.refusal_of(path) is not None:
                # Refused before (by this process or an earlier one): never checked or unpacked again, so a
                # bad file on the stick cannot keep the watcher from the good one beside it.
                self._seen.add(key)
                continue
            try:
                manifest = self.store.peek(path)
            except BundleRefused as refusal:
                self._seen.add(key)
                if refusal.reason != "rollback":  # an already-installed file left in the folder is normal
                    self._refused(str(path), refusal)
                continue
            if manifest.version > floor:
                acceptable.append((manifest.version, key, path))
        for _version, key, path in sorted(acceptable, reverse=True):
            try:
                staged = self.store.stage(path)
            except BundleRefused as refusal:
                self._seen.add(key)
                self._refused(str(path), refusal)
                continue
            except StoreError as error:  # transient (disk, store busy): the next poll tries again
                self.last_error = str(error)
                return
            self._seen.add(key)
            with self._lock:
                previous, self._pending = self._pending, staged
            if previous is not None:
                previous.discard()
            log.info("bundle %s staged from %s; waiting for an idle moment", staged.manifest.name, path)
            self.bundleStaged.emit(str(path))
            return

    def _refused(self, source: str, refusal: BundleRefused) -> None:
        self.last_error = f"{source}: {refusal}"
        self.bundleRefused.emit(self.last_error)
