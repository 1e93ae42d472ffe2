"""'Are you still there?' countdown shown over every screen before the visit is reset."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.i18n import _
from kiosk.i18n.formatting import format_number

CARD_WIDTH = 640


class IdleOverlay(QFrame):
    stayRequested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("IdleOverlay")
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        card = QFrame(self)
        card.setObjectName("IdleCard")
        card.setMinimumWidth(CARD_WIDTH)
        self.card = card
        inner = QVBoxLayout(card)
        inner.setContentsMargins(48, 40, 48, 40)
        inner.setSpacing(24)
        self.title = QLabel(card)
        self.title.setObjectName("IdleTitle")
        self.message = QLabel(card)
        self.count = QLabel(card)
        self.count.setObjectName("IdleCount")
        for label in (self.title, self.message, self.count):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        self.stay_button = QPushButton(card)
        self.stay_button.setObjectName("StayButton")
        self.stay_button.clicked.connect(self.stayRequested)
        inner.addWidget(self.title)
        inner.addWidget(self.message)
        inner.addWidget(self.count)
        inner.addWidget(self.stay_button)
        outer.addWidget(card)
        self._seconds = 0
        self.hide()
        self.retranslate()

    def show_countdown(self, seconds: int) -> None:
        self._seconds = seconds
        self.retranslate()
        area = self.parentWidget().rect()
        self.card.setMinimumWidth(min(CARD_WIDTH, area.width() - 32))  # a narrow portrait screen
        self.card.setMaximumWidth(area.width() - 32)
        self.setGeometry(area)
        self.raise_()
        self.show()

    def set_seconds(self, seconds: int) -> None:
        self._seconds = seconds
        self.count.setText(format_number(seconds))

    def retranslate(self) -> None:
        self.title.setText(_("Are you still there?"))
        self.message.setText(_("Touch the screen to continue. Otherwise the kiosk will start again "
                               "for the next visitor."))
        self.stay_button.setText(_("I am still here"))
        self.stay_button.setAccessibleName(_("I am still here"))
        self.count.setText(format_number(self._seconds))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        # Any touch on the dimmed screen counts as "still here", not only the button.
        self.stayRequested.emit()
        event.accept()
