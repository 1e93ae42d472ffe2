"""'Are you still there?' countdown shown over every screen before the visit is reset.

The card is an alert to assistive technology (a message box's role, embedded in the window rather than a
window of its own): when it appears it takes the focus on its button, it is announced, and the controls
behind it leave the Tab order until it goes (WCAG 2.2.1: the visitor is warned and can ask for more time).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QMouseEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QFrame, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from kiosk.i18n import _
from kiosk.i18n.formatting import format_number
from kiosk.ui.announce import announce

CARD_WIDTH = 640


class AlertCard(QMessageBox):
    """A message box used only for its accessible role (alert); it shows ``content`` and nothing of its own."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowFlags(Qt.WindowType.Widget)
        self.setObjectName("IdleCard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            child.hide()
        self.content = QWidget(self)
        self.layout().addWidget(self.content, 99, 0, 1, -1)

    def showEvent(self, event: QShowEvent) -> None:
        # Skips the message box's own sizing to its (hidden) label; the layout sizes the card.
        QDialog.showEvent(self, event)

    def event(self, event: QEvent) -> bool:
        # The message box fixes its own size to its label on layout and style changes; the card's layout
        # decides here (a plain widget's handling).
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.StyleChange, QEvent.Type.FontChange,
                            QEvent.Type.LanguageChange):
            return QWidget.event(self, event)
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        # Escape would close a message box; here only the button or a touch answers the countdown.
        QWidget.keyPressEvent(self, event)


class IdleOverlay(QFrame):
    stayRequested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("IdleOverlay")
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        card = AlertCard(self)
        card.setMinimumWidth(CARD_WIDTH)
        self.card = card
        inner = QVBoxLayout(card.content)
        inner.setContentsMargins(48, 40, 48, 40)
        inner.setSpacing(24)
        self.title = QLabel(card.content)
        self.title.setObjectName("IdleTitle")
        self.message = QLabel(card.content)
        self.count = QLabel(card.content)
        self.count.setObjectName("IdleCount")
        for label in (self.title, self.message, self.count):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        self.stay_button = QPushButton(card.content)
        self.stay_button.setObjectName("StayButton")
        self.stay_button.clicked.connect(self.stayRequested)
        inner.addWidget(self.title)
        inner.addWidget(self.message)
        inner.addWidget(self.count)
        inner.addWidget(self.stay_button)
        outer.addWidget(card)
        self._seconds = 0
        self._set_aside: list[QWidget] = []
        self._focus_before: QWidget | None = None
        self.hide()
        self.retranslate()

    def show_countdown(self, seconds: int) -> None:
        self._seconds = seconds
        self.retranslate()
        area = self.parentWidget().rect()
        self.card.setMinimumWidth(min(CARD_WIDTH, area.width() - 32))  # a narrow portrait screen
        self.card.setMaximumWidth(area.width() - 32)
        self.setGeometry(area)
        self._set_aside_the_rest()
        self.raise_()
        self.show()
        self.stay_button.setFocus(Qt.FocusReason.OtherFocusReason)
        announce(self.card, f"{self.title.text()} {self.message.text()}", alert=True)

    def hideEvent(self, event) -> None:
        self._bring_back_the_rest()
        super().hideEvent(event)

    def _set_aside_the_rest(self) -> None:
        """Everything behind the card leaves the Tab order (and the screen reader's reach) while it shows."""
        if self._set_aside:
            return
        window = self.parentWidget()
        focused = window.focusWidget()
        self._focus_before = focused if focused is not None and not self.isAncestorOf(focused) else None
        for child in window.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child is not self and child.isEnabled():
                child.setEnabled(False)
                self._set_aside.append(child)

    def _bring_back_the_rest(self) -> None:
        for child in self._set_aside:
            child.setEnabled(True)
        self._set_aside = []
        if self._focus_before is not None and self._focus_before.isVisible():
            self._focus_before.setFocus(Qt.FocusReason.OtherFocusReason)
        self._focus_before = None

    def set_seconds(self, seconds: int) -> None:
        self._seconds = seconds
        self.count.setText(format_number(seconds))
        self.count.setAccessibleName(_("{seconds} seconds left").format(seconds=seconds))

    def retranslate(self) -> None:
        self.title.setText(_("Are you still there?"))
        self.message.setText(_("Touch the screen to continue. Otherwise the kiosk will start again "
                               "for the next visitor."))
        self.stay_button.setText(_("I am still here"))
        self.stay_button.setAccessibleName(_("I am still here"))
        self.stay_button.setAccessibleDescription(self.message.text())
        self.card.setAccessibleName(self.title.text())
        self.card.setAccessibleDescription(self.message.text())
        self.count.setText(format_number(self._seconds))
        self.count.setAccessibleName(_("{seconds} seconds left").format(seconds=self._seconds))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        # Any touch on the dimmed screen counts as "still here", not only the button.
        self.stayRequested.emit()
        event.accept()
