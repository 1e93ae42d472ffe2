"""The hidden way in for staff: a finger held still on the screen's top-left corner.

An application-wide event filter watches presses inside a small square at the window's physical
top-left corner (the same corner in right-to-left languages: staff need not know the current
language). It only watches: a short tap still reaches whatever lies beneath (the Home button). When the
press has been held for the configured time, ``triggered`` is emitted, and the release that ends the
press is swallowed so that it does not also click the button under the finger.

Touch and mouse both work: Qt turns touches into mouse events for widgets that do not take touch
events, and the touch events themselves are watched for those that do.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QTimer, Signal
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

CORNER_PX = 120
# A resting finger wobbles; more than this and it is a swipe, not a hold.
MOVE_TOLERANCE_PX = 40

_PRESS = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)
_MOVE = (QEvent.Type.MouseMove, QEvent.Type.TouchUpdate)
_RELEASE = (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel)


class CornerHold(QObject):
    triggered = Signal()

    def __init__(self, window: QWidget, hold_seconds: float, corner_px: int = CORNER_PX,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self._corner = corner_px
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(round(hold_seconds * 1000))
        self._timer.timeout.connect(self._on_held)
        self._start = QPointF()
        self._pressed: QWidget | None = None
        self._fired = False
        self._installed = False

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False
        self._timer.stop()

    @property
    def holding(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _PRESS and kind not in _MOVE and kind not in _RELEASE:
            return False
        # Mouse events also pass through the window's QWindow and propagate up through parents: only
        # widgets of the kiosk window count, and a press already being timed is not restarted.
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False
        position = _global_position(event)
        if kind in _PRESS:
            if not self._timer.isActive() and not self._fired and position is not None \
                    and self._in_corner(position):
                self._start = position
                self._pressed = watched
                self._timer.start()
            return False
        if kind in _MOVE:
            if self._timer.isActive() and position is not None and \
                    (position - self._start).manhattanLength() > MOVE_TOLERANCE_PX:
                self._timer.stop()
            return False
        # A release
        self._timer.stop()
        if self._fired:
            self._fired = False
            pressed, self._pressed = self._pressed, None
            if isinstance(pressed, QAbstractButton):
                pressed.setDown(False)
            return True
        self._pressed = None
        return False

    def _in_corner(self, position: QPointF) -> bool:
        origin = self._window.mapToGlobal(QPoint(0, 0))
        return QRect(origin, self._window.size()).intersected(
            QRect(origin.x(), origin.y(), self._corner, self._corner)).contains(position.toPoint())

    def _on_held(self) -> None:
        self._fired = True
        self.triggered.emit()


def _global_position(event: QEvent) -> QPointF | None:
    if hasattr(event, "points"):  # touch events (QTouchEvent, QPointerEvent)
        points = event.points()
        return points[0].globalPosition() if points else None
    if hasattr(event, "globalPosition"):
        return event.globalPosition()
    return None
