"""SIGTERM (how systemd stops the service) and SIGINT (Ctrl+C) end ``kiosk run`` in order.

Python runs a signal handler only when the interpreter next gets control, and while Qt's event loop waits
for events it does not: the handler would wait for the next touch. So the handler does nothing itself;
``signal.set_wakeup_fd`` has the interpreter's C-level handler write the signal's number to one end of a
socket pair the moment the signal arrives, and a QSocketNotifier on the other end wakes the event loop,
which then emits ``received`` on the GUI thread. Unlike a polling QTimer this costs nothing while idle and
reacts at once; a socket pair (rather than a pipe) also works with ``set_wakeup_fd`` on Windows.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterable

from PySide6.QtCore import QObject, QSocketNotifier, Signal

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignals(QObject):
    received = Signal(int)  # the signal's number

    def __init__(self, parent: QObject | None = None, signals: Iterable[signal.Signals] = STOP_SIGNALS) -> None:
        super().__init__(parent)
        self._signals = tuple(signals)
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {number: signal.signal(number, self._note) for number in self._signals}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _note(self, _number: int, _frame: object) -> None:
        """The wakeup byte already carries the news; without a Python handler SIGINT would raise
        KeyboardInterrupt in whatever slot happened to run."""

    def _drain(self) -> None:
        try:
            data = self._reader.recv(64)
        except BlockingIOError:
            return
        for number in data:
            if number in self._signals:
                self.received.emit(number)

    def close(self) -> None:
        """Back to the handlers there were before."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._reader.close()
        self._writer.close()
