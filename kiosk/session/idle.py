"""Inactivity detection for the end-of-visit reset.

An application-wide event filter restarts a timer on every touch, click or key press; after the idle
time ``warn`` is emitted (the window shows a countdown), and after the countdown ``expired``. Any input
during the countdown emits ``activity`` and starts over.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

_INPUT_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate, QEvent.Type.KeyPress, QEvent.Type.Wheel, QEvent.Type.TabletPress,
})


class IdleWatcher(QObject):
    warn = Signal(int)  # seconds left
    tick = Signal(int)  # seconds left, once a second during the countdown
    expired = Signal()
    activity = Signal()

    def __init__(self, idle_seconds: int, countdown_seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.idle_seconds = idle_seconds
        self.countdown_seconds = countdown_seconds
        self._enabled = False
        self._left = 0
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.timeout.connect(self._start_countdown)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._on_tick)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def counting_down(self) -> bool:
        return self._countdown.isActive()

    def set_enabled(self, enabled: bool) -> None:
        """Disabled while nobody is being served (the attract screen)."""
        self._enabled = enabled
        self._countdown.stop()
        if enabled:
            self._idle_timer.start(round(self.idle_seconds * 1000))
        else:
            self._idle_timer.stop()

    def poke(self) -> None:
        if not self._enabled:
            return
        if self._countdown.isActive():
            self._countdown.stop()
            self.activity.emit()
        self._idle_timer.start(round(self.idle_seconds * 1000))

    def warn_now(self) -> None:
        """Start the countdown at once (a screen with its own time limit, such as the confirmation, ends
        with the same warning, which the visitor can answer to stay)."""
        if self._enabled and not self._countdown.isActive():
            self._idle_timer.stop()
            self._start_countdown()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self.poke()
        return False

    def _start_countdown(self) -> None:
        self._left = self.countdown_seconds
        self._countdown.start()
        self.warn.emit(self._left)

    def _on_tick(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self._countdown.stop()
            self._enabled = False
            self.expired.emit()
        else:
            self.tick.emit(self._left)

    def shutdown(self) -> None:
        self._idle_timer.stop()
        self._countdown.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
