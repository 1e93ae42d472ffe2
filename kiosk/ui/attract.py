"""The screen shown while nobody is using the kiosk: touch anywhere to begin."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QMouseEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from kiosk import paths
from kiosk.i18n import _
from kiosk.i18n.languages import LanguageInfo
from kiosk.ui.languages import LanguageButton

LANGUAGES_PER_ROW = 4


class AttractScreen(QWidget):
    started = Signal()
    languageChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AttractScreen")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 60, 80, 60)
        layout.setSpacing(32)
        self.title = QLabel(self)
        self.title.setObjectName("AttractTitle")
        self.invite = QLabel(self)
        self.invite.setObjectName("AttractInvite")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("AttractSub")
        self.hand = QLabel(self)
        self.hand.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hand.setPixmap(QIcon(str(paths.icons_dir() / "touch.svg")).pixmap(QSize(128, 128)))
        self.hand.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        for label in (self.title, self.invite, self.subtitle):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addStretch(1)
        layout.addWidget(self.hand)
        layout.addWidget(self.invite)
        layout.addStretch(2)
        # Starting straight in one's own language: one tap on its name (filled in by set_languages).
        # Four to a row, so eight languages fit a portrait screen too.
        self.language_row = QGridLayout()
        self.language_row.setSpacing(16)
        self.language_buttons: list[LanguageButton] = []
        layout.addLayout(self.language_row)
        self.retranslate()

    def set_languages(self, languages: list[LanguageInfo]) -> None:
        for info in languages:
            button = LanguageButton(info, self, in_picker=False)
            button.clicked.connect(lambda _checked=False, code=info.code: self.languageChosen.emit(code))
            index = len(self.language_buttons)
            self.language_buttons.append(button)
            self.language_row.addWidget(button, index // LANGUAGES_PER_ROW, index % LANGUAGES_PER_ROW)

    def retranslate(self) -> None:
        self.title.setText(_("Dystonia"))
        self.subtitle.setText(_("What it is, how it is treated, and how to ask our doctors"))
        self.invite.setText(_("Touch the screen to begin"))
        self.setAccessibleName(_("Touch the screen to begin"))

    def set_invitation(self, text: str) -> None:
        """The window cycles the invitation through every language."""
        self.invite.setText(text)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.started.emit()
        event.accept()
