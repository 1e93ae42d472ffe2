"""``kiosk run`` with a 5 ms heartbeat on the GUI thread: how long the event loop is kept from the patient.

    KIOSK_BENCH_GAPS=FILE python bench/kiosk_heartbeat.py run [kiosk run options]

Nothing in the kiosk changes: the heartbeat starts as soon as the QApplication exists (``ensure_application``
is wrapped). Each line appended to FILE is ``<seconds since process start> <gap ms>``, the time between two
heartbeats; written once a second and at exit, so a killed kiosk loses at most the last second.
"""

from __future__ import annotations

import os
import sys
import time

START = float(os.environ.get("KIOSK_BENCH_START", time.time()))

from PySide6.QtCore import QObject, QTimer  # noqa: E402

import kiosk.app  # noqa: E402

HEARTBEAT_MS = 5
FLUSH_EVERY_S = 1.0


class Heartbeat(QObject):
    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path
        self._pending: list[str] = []
        self._last = time.perf_counter()
        self._last_flush = self._last
        self._timer = QTimer(self)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._beat)
        self._timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        self._pending.append(f"{time.time() - START:.4f} {(now - self._last) * 1000:.2f}\n")
        self._last = now
        if now - self._last_flush >= FLUSH_EVERY_S:
            self.flush()

    def flush(self) -> None:
        with open(self._path, "a", encoding="ascii") as out:
            out.writelines(self._pending)
        self._pending = []
        self._last_flush = time.perf_counter()


_original_ensure = kiosk.app.ensure_application
_heartbeat: list[Heartbeat] = []


def _ensure_with_heartbeat(argv: list[str] | None = None):
    app = _original_ensure(argv)
    if not _heartbeat:
        _heartbeat.append(Heartbeat(os.environ["KIOSK_BENCH_GAPS"]))
        app.aboutToQuit.connect(_heartbeat[0].flush)
    return app


kiosk.app.ensure_application = _ensure_with_heartbeat

if __name__ == "__main__":
    from kiosk.cli import main

    sys.exit(main(sys.argv[1:]))
