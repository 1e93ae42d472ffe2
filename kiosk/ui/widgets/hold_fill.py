"""The fill that grows over a button while a finger rests on it, when a hold is needed to activate it."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget


class HoldFill(QWidget):
    """Painted over the held button, never taking a touch; grows from the side reading starts on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HoldFill")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._progress = 0.0
        self._colour = QColor("#1f5f8b")
        self.hide()

    @property
    def progress(self) -> float:
        return self._progress

    def set_colour(self, colour: str) -> None:
        self._colour = QColor(colour)
        self.update()

    def cover(self, target: QWidget) -> None:
        """Lie over ``target`` (a child of it, so it moves and hides with it)."""
        if self.parentWidget() is not target:
            self.setParent(target)
        self.setGeometry(target.rect())
        self.set_progress(0.0)
        self.raise_()
        self.show()

    def set_progress(self, progress: float) -> None:
        self._progress = max(0.0, min(1.0, progress))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._progress <= 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(self._colour)
        fill.setAlpha(110)  # the label stays readable through the fill
        width = self.width() * self._progress
        left = self.width() - width if self.layoutDirection() == Qt.LayoutDirection.RightToLeft else 0.0
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(left, 0, width, self.height()), 14, 14)
        # A solid edge at the growing end, so progress is visible even where the fill colour is faint.
        painter.setBrush(self._colour)
        edge = left if left > 0 else width - 4
        painter.drawRect(QRectF(max(0.0, edge), 0, 4, self.height()))
        painter.end()
