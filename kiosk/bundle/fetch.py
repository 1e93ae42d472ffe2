"""Polling an HTTPS address for a new bundle file, with the standard library only.

Each poll is a conditional GET (``If-None-Match`` / ``If-Modified-Since``): an unchanged file costs one
small request and a ``304``. A download is refused as soon as it passes the size cap (declared
``Content-Length`` or bytes actually received) or the total deadline (a server that drips one byte a
second would otherwise hold the kiosk forever: TUF's "endless data"); a server that sends nothing at all
for ``idle_seconds`` is a network failure, tried again at the next poll. The validators of a finished
download are remembered even if the bundle is later refused, so a bad file is not fetched again and
again. Plain ``http`` is accepted only for the local machine (trials, tests): the bundle's signature is
what makes it trustworthy, but TLS keeps the hospital's content private on the way. ``ca_file``
(``bundles.ca_file``) replaces the system's authorities with the hospital's own CA.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from kiosk.bundle.errors import BundleRefused
from kiosk.bundle.fsutil import write_atomic

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
STATE_FILE = "fetch.json"
_LATE = "the download did not finish within the deadline"
DOWNLOAD_NAME = "downloaded.kbundle"


class FetchError(OSError):
    """The server could not be reached or answered with an error; try again at the next poll."""


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int
    deadline_seconds: float
    idle_seconds: float = 60.0


class BundleFetcher:
    def __init__(self, url: str, folder: Path, limits: FetchLimits, ca_file: str | None = None) -> None:
        _check_url(url)
        self.url = url
        self.folder = folder
        self.limits = limits
        self.ca_file = ca_file or None
        self._cancelled = False
        self._watchdog: _Watchdog | None = None
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def download_path(self) -> Path:
        return self.folder / DOWNLOAD_NAME

    def fetch(self) -> Path | None:
        """Download the bundle if it changed since the last poll; None when it did not."""
        deadline = time.monotonic() + self.limits.deadline_seconds
        with _Watchdog(deadline) as watchdog:
            self._watchdog = watchdog
            try:
                if self._cancelled:  # checked after the watchdog is visible to cancel(): no cancel is lost
                    raise FetchError(f"{self.url}: download cancelled")
                return self._fetch(deadline, watchdog)
            except (OSError, http.client.HTTPException, BundleRefused) as error:
                if self._cancelled:
                    raise FetchError(f"{self.url}: download cancelled") from error
                if isinstance(error, BundleRefused):
                    raise
                if watchdog.fired or (isinstance(error, TimeoutError) and time.monotonic() >= deadline):
                    raise BundleRefused("deadline", _LATE) from error
                if isinstance(error, TimeoutError):
                    raise FetchError(f"{self.url}: the server sent nothing for {self.limits.idle_seconds:g} "
                                     "seconds") from error
                if isinstance(error, FetchError):
                    raise
                raise FetchError(f"{self.url}: {error}") from error
            finally:
                self._watchdog = None

    def cancel(self) -> None:
        """Cut a running download short and refuse new ones until ``resume`` (the kiosk is quitting);
        ``fetch`` raises FetchError. Any thread."""
        self._cancelled = True
        watchdog = self._watchdog
        if watchdog is not None:
            watchdog.fire()

    def resume(self) -> None:
        self._cancelled = False

    def _fetch(self, deadline: float, watchdog: _Watchdog) -> Path | None:
        state = self._load_state()
        headers = {"User-Agent": "dystonia-kiosk", "Accept-Encoding": "identity"}
        if state.get("url") == self.url and self.download_path.exists():
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                headers["If-Modified-Since"] = state["last_modified"]
        url = self.url
        for _ in range(_MAX_REDIRECTS + 1):
            connection = self._connection(url, deadline)
            try:
                connection.connect()
                # The socket itself: http.client drops the connection's reference once an HTTP/1.0 response
                # owns the stream.
                watchdog.sock = connection.sock
                if watchdog.fired:
                    raise BundleRefused("deadline", _LATE)
                parts = urlsplit(url)
                connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                                   headers=headers)
                response = connection.getresponse()
                try:
                    if watchdog.fired:  # the headers were cut off, not complete
                        raise BundleRefused("deadline", _LATE)
                    if response.status in (301, 302, 303, 307, 308):
                        location = response.getheader("Location")
                        if not location:
                            raise FetchError(f"{url}: redirect without a Location")
                        url = urljoin(url, location)
                        _check_url(url, after_redirect_from=self.url)
                        continue
                    if response.status == 304:
                        return None
                    if response.status != 200:
                        raise FetchError(f"{url}: HTTP {response.status} {response.reason}")
                    self._download(response, deadline, watchdog)
                    self._save_state({
                        "url": self.url,
                        "etag": response.getheader("ETag"),
                        "last_modified": response.getheader("Last-Modified"),
                    })
                    return self.download_path
                finally:
                    response.close()
            finally:
                connection.close()
        raise FetchError(f"{self.url}: too many redirects")

    def _connection(self, url: str, deadline: float) -> http.client.HTTPConnection:
        parts = urlsplit(url)
        # Every blocking step (connect, TLS, each read) gives up after idle_seconds without progress; the
        # watchdog enforces the total deadline.
        timeout = min(_remaining(deadline), self.limits.idle_seconds)
        if parts.scheme == "https":
            try:
                context = ssl.create_default_context(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as error:
                raise FetchError(f"bundles.ca_file {self.ca_file}: not a readable PEM certificate file "
                                 f"({error})") from error
            return http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=timeout,
                                               context=context)
        return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)

    def _download(self, response: http.client.HTTPResponse, deadline: float, watchdog: _Watchdog) -> None:
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise BundleRefused("download-too-big",
                                f"the server offers {declared} bytes (limit {self.limits.max_bytes})")
        temporary = self.folder / f".{DOWNLOAD_NAME}.{os.getpid()}.tmp"
        received = 0
        try:
            with temporary.open("wb") as sink:
                # read1: return what has arrived instead of waiting for a full chunk, so the deadline
                # is checked however slowly the server drips.
                while chunk := response.read1(_CHUNK):
                    received += len(chunk)
                    if received > self.limits.max_bytes:
                        raise BundleRefused("download-too-big",
                                            f"the download passed the limit of {self.limits.max_bytes} bytes")
                    _remaining(deadline)
                    if watchdog.fired:
                        raise BundleRefused("deadline", _LATE)
                    sink.write(chunk)
                sink.flush()
                os.fsync(sink.fileno())
            if watchdog.fired:  # the connection was cut: what arrived is not the whole file
                raise BundleRefused("deadline", _LATE)
            if declared and declared.isdigit() and received != int(declared):
                # Remembering this response's ETag would make every later poll a 304: retry instead.
                raise FetchError(f"the download stopped after {received} of {declared} bytes")
            os.replace(temporary, self.download_path)
        finally:
            temporary.unlink(missing_ok=True)

    def _load_state(self) -> dict[str, str]:
        try:
            data = json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_state(self, state: dict[str, str | None]) -> None:
        write_atomic(self.folder / STATE_FILE, json.dumps(state).encode("utf-8"))


def _check_url(url: str, after_redirect_from: str | None = None) -> None:
    parts = urlsplit(url)
    local = parts.hostname in _LOOPBACK
    if parts.scheme == "https" or (parts.scheme == "http" and local):
        downgrade = parts.scheme != "https" and urlsplit(after_redirect_from or "").scheme == "https"
        if downgrade:
            raise FetchError(f"refusing a redirect from https to {url}")
        return
    raise FetchError(f"bundle address must be https:// (http only for this machine): {url}")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise BundleRefused("deadline", _LATE)
    return left


class _Watchdog:
    """Closes the connection when the deadline passes, even inside a blocking read (a server dripping
    its headers one byte at a time never lets a per-read timeout expire)."""

    def __init__(self, deadline: float) -> None:
        self.fired = False
        self.sock: socket.socket | None = None
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self.fire)
        self._timer.daemon = True

    def fire(self) -> None:
        self.fired = True
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        self._timer.join()
