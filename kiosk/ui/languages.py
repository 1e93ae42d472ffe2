"""The language picker: every language by its own name, in its own script, no flags."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.i18n import _
from kiosk.i18n.languages import LanguageInfo
from kiosk.ui.widgets.flow_layout import FlowLayout
from kiosk.ui.widgets.scroll_page import ScrollPage


class LanguageButton(QPushButton):
    def __init__(self, info: LanguageInfo, parent: QWidget | None = None, *, in_picker: bool = True) -> None:
        super().__init__(info.native_name, parent)
        self.code = info.code
        self.english_name = info.english_name
        # The style sheet picks the size by object name, so it is set before the button is first polished.
        self.setObjectName("LanguageChoice" if in_picker else "AttractLanguage")
        # Not checkable: a screen reader's default action on a checkable button only flips its state, where a
        # tap chooses the language. The current language is marked by a style property and its description.
        self.setProperty("current", False)
        vertical = QSizePolicy.Policy.Expanding if in_picker else QSizePolicy.Policy.Fixed
        self.setSizePolicy(QSizePolicy.Policy.Expanding, vertical)
        # A language's name reads in its own direction whatever the interface direction is.
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft if info.rtl else Qt.LayoutDirection.LeftToRight)
        self.setAccessibleName(info.native_name)
        self.setAccessibleDescription(info.english_name)


class LanguageScreen(QWidget):
    languageChosen = Signal(str)

    def __init__(self, languages: list[LanguageInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LanguageScreen")
        screen_layout = QVBoxLayout(self)
        screen_layout.setContentsMargins(0, 0, 0, 0)
        self.page = ScrollPage(self)
        screen_layout.addWidget(self.page)
        layout = QVBoxLayout(self.page.body)
        layout.setContentsMargins(48, 32, 48, 40)
        layout.setSpacing(24)
        self.heading = QLabel(self.page.body)
        self.heading.setObjectName("ScreenTitle")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        # Four columns on a wide screen, two on a narrow one, fewer if the names need it; the buttons fill
        # the screen when there is room and the list scrolls when there is not.
        self.grid = FlowLayout(spacing=20, uniform=True, max_columns=2)
        layout.addLayout(self.grid, 1)
        self.buttons = [LanguageButton(info, self.page.body) for info in languages]
        for button in self.buttons:
            button.clicked.connect(lambda _checked=False, code=button.code: self.languageChosen.emit(code))
            self.grid.addWidget(button)
        self.retranslate()

    def set_current(self, code: str) -> None:
        for button in self.buttons:
            current = button.code == code
            if button.property("current") != current:
                button.setProperty("current", current)
                button.style().unpolish(button)
                button.style().polish(button)
        self.retranslate()

    def current_code(self) -> str:
        return next((button.code for button in self.buttons if button.property("current")), "")

    def retranslate(self) -> None:
        self.heading.setText(_("Choose your language"))
        for button in self.buttons:
            # The name is the language's own name (what the button shows); whether it is the current one
            # is said in the interface's language.
            button.setAccessibleDescription(
                f"{button.english_name} \u2014 {_('Current language')}" if button.property("current")
                else button.english_name)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.grid.set_max_columns(4 if event.size().width() > event.size().height() * 1.2 else 2)
        super().resizeEvent(event)
