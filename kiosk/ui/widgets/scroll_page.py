"""A screen's content in a vertical scroll area, so a screen never grows the window past the display.

When the content fits it fills the screen as before (its stretches and expanding tiles spread out); when it
does not (a small screen, the largest text, a long language) it scrolls, by dragging anywhere, never
sideways: the content always gets the viewport's width and must wrap to it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from kiosk.ui.widgets.drag_scroll import enable_drag_scroll


class ScrollPage(QScrollArea):
    def __init__(self, parent: QWidget | None = None, body_name: str = "PageBody") -> None:
        super().__init__(parent)
        self.setObjectName("ScrollPage")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Tab goes from control to control; the area scrolls the focused one into view by itself.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.body = QWidget()
        self.body.setObjectName(body_name)
        self.setWidget(self.body)
        # The screen behind shows through: the page is only a way of moving the content.
        self.viewport().setAutoFillBackground(False)
        self.body.setAutoFillBackground(False)
        enable_drag_scroll(self)


def fit_to_screen(area: QScrollArea) -> QScrollArea:
    """Make an existing scroll area behave like a page: drag to scroll, never sideways. Returns ``area``."""
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return enable_drag_scroll(area)  # type: ignore[return-value]
