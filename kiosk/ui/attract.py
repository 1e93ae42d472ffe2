"""The screen shown while nobody is using the kiosk: touch anywhere to begin."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk import paths
from kiosk.i18n import _
from kiosk.i18n.languages import LanguageInfo
from kiosk.ui.languages import LanguageButton
from kiosk.ui.widgets.flow_layout import FlowLayout
from kiosk.ui.widgets.scroll_page import ScrollPage

LANGUAGES_PER_ROW = 4
HAND_LARGEST_PX = 128
HAND_SMALLEST_PX = 56


class AttractScreen(QWidget):
    started = Signal()
    languageChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AttractScreen")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # A touch anywhere still begins (the release reaches this screen through the page).
        self.page = ScrollPage(self)
        outer.addWidget(self.page)
        body = self.page.body
        layout = QVBoxLayout(body)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(24)
        self.title = QLabel(body)
        self.title.setObjectName("AttractTitle")
        self.invite = QLabel(body)
        self.invite.setObjectName("AttractInvite")
        self.subtitle = QLabel(body)
        self.subtitle.setObjectName("AttractSub")
        self.hand = QLabel(body)
        self.hand.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hand_icon = QIcon(str(paths.icons_dir() / "touch.svg"))
        self._hand_side = 0
        self._fit_hand(HAND_LARGEST_PX)
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
        # At most four to a row, fewer when the names do not fit the screen's width.
        self.language_row = FlowLayout(spacing=16, uniform=True, max_columns=LANGUAGES_PER_ROW)
        self.language_buttons: list[LanguageButton] = []
        layout.addLayout(self.language_row)
        self.retranslate()

    def set_languages(self, languages: list[LanguageInfo]) -> None:
        for info in languages:
            button = LanguageButton(info, self.page.body, in_picker=False)
            button.clicked.connect(lambda _checked=False, code=info.code: self.languageChosen.emit(code))
            self.language_buttons.append(button)
            self.language_row.addWidget(button)

    def retranslate(self) -> None:
        self.title.setText(_("Dystonia"))
        self.subtitle.setText(_("What it is, how it is treated, and how to ask our doctors"))
        self.invite.setText(_("Touch the screen to begin"))
        self.setAccessibleName(_("Touch the screen to begin"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A short landscape screen (1280x720) needs the room for the second row of languages.
        self._fit_hand(max(HAND_SMALLEST_PX, min(HAND_LARGEST_PX, event.size().height() // 12)))

    def _fit_hand(self, side: int) -> None:
        if side != self._hand_side:
            self._hand_side = side
            self.hand.setPixmap(self._hand_icon.pixmap(QSize(side, side)))

    def set_invitation(self, text: str) -> None:
        """The window cycles the invitation through every language."""
        self.invite.setText(text)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.started.emit()
        event.accept()
