"""After Send: the reference code, what happens next, and whether the request has left the kiosk."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.i18n import _
from kiosk.i18n.text import isolate_ltr
from kiosk.ui.announce import announce
from kiosk.ui.widgets.scroll_page import ScrollPage


class DoneScreen(QWidget):
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DoneScreen")
        screen_layout = QVBoxLayout(self)
        screen_layout.setContentsMargins(0, 0, 0, 0)
        self.page = ScrollPage(self)  # a touch anywhere still finishes (the release reaches this screen)
        screen_layout.addWidget(self.page)
        body = self.page.body
        layout = QVBoxLayout(body)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(24)
        self.heading = QLabel(body)
        # Styled as a screen title; it takes the focus after Send, so a screen reader reads the confirmation.
        self.heading.setObjectName("DoneTitle")
        self.heading.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.reference_label = QLabel(body)
        self.reference = QLabel(body)
        self.reference.setObjectName("Reference")
        self.next_steps = QLabel(body)
        self.delivery = QLabel(body)
        self.delivery.setObjectName("Notice")
        for label in (self.heading, self.reference_label, self.reference, self.next_steps, self.delivery):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.finish_button = QPushButton(body)
        self.finish_button.setObjectName("FinishButton")
        self.finish_button.clicked.connect(self.finished)
        layout.addStretch(1)
        for widget in (self.heading, self.reference_label, self.reference, self.next_steps, self.delivery):
            layout.addWidget(widget)
        layout.addWidget(self.finish_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        self._code = ""
        self._sent = False
        self.retranslate()

    def show_result(self, reference: str, already_sent: bool) -> None:
        self._code = reference
        self._sent = already_sent
        self.retranslate()

    def take_focus(self) -> None:
        """Focus on the confirmation (its name is the heading and the code) and announce it."""
        self.heading.setFocus(Qt.FocusReason.OtherFocusReason)
        announce(self.heading, self.heading.accessibleName())

    def set_sent(self, sent: bool) -> None:
        self._sent = sent
        self.retranslate()

    @property
    def sent(self) -> bool:
        return self._sent

    def retranslate(self) -> None:
        # Sent reads as done (green, a tick's worth of calm); waiting keeps the notice's yellow.
        wanted = "Success" if self._sent else "Notice"
        if self.delivery.objectName() != wanted:
            self.delivery.setObjectName(wanted)
            self.delivery.style().unpolish(self.delivery)
            self.delivery.style().polish(self.delivery)
        self.heading.setText(_("Thank you. Your request is saved."))
        self.reference_label.setText(_("Your reference code:"))
        self.reference.setText(isolate_ltr(self._code))
        # Spoken without the isolate marks; letter by letter is the screen reader's choice.
        self.reference.setAccessibleName(self._code)
        self.heading.setAccessibleName(" ".join(
            part for part in (self.heading.text(), self.reference_label.text(), self._code) if part))
        self.next_steps.setText(_("Our international patient team will contact you. "
                                  "You can note the code above if you want to ask about your request."))
        self.delivery.setText(_("Your request has been sent to the hospital.") if self._sent else _(
            "Your request is saved on this kiosk and will be sent automatically as soon as the connection "
            "allows. You do not need to do anything."))
        self.finish_button.setText(_("Finish"))
        self.finish_button.setAccessibleName(_("Finish"))
        self.finish_button.setAccessibleDescription(_("Start again for the next visitor"))
        self.heading.setAccessibleDescription(self.delivery.text())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.finished.emit()
        event.accept()
