"""Staff preview only: the content's validation problems over the bottom of the kiosk window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.i18n import _, ngettext

MAX_LINES = 12


class ValidationOverlay(QFrame):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("ValidationOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#ValidationOverlay { background: rgba(20, 20, 20, 225); border-radius: 12px; }"
                           "QLabel { color: #ffffff; font-size: 18px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 12, 20, 12)
        self.heading = QLabel(self)
        self.heading.setObjectName("ValidationHeading")
        self.details = QLabel(self)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setWordWrap(True)
        layout.addWidget(self.heading)
        layout.addWidget(self.details)
        self._lines: list[str] = []
        self.hide()

    def show_problems(self, lines: list[str]) -> None:
        """One line per problem (``file:line: severity: message``); nothing to show hides the overlay."""
        self._lines = list(lines)
        self.retranslate()

    def retranslate(self) -> None:
        count = len(self._lines)
        self.heading.setText(ngettext("{count} content problem", "{count} content problems", count)
                             .format(count=count))
        shown = self._lines[:MAX_LINES]
        if count > MAX_LINES:
            shown.append(_("… and {count} more (kiosk bundle validate lists them all)").format(
                count=count - MAX_LINES))
        self.details.setText("\n".join(shown))
        self.setVisible(count > 0)
        if count:
            self.place()

    def place(self) -> None:
        parent = self.parentWidget()
        width = parent.width() - 40
        self.setFixedWidth(width)
        self.adjustSize()
        self.move(20, parent.height() - self.height() - 20)
        self.raise_()
