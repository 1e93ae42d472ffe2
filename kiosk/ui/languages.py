"""The language picker: every language by its own name, in its own script, no flags."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.i18n import _
from kiosk.i18n.languages import LanguageInfo


class LanguageButton(QPushButton):
    def __init__(self, info: LanguageInfo, parent: QWidget | None = None, *, in_picker: bool = True) -> None:
        super().__init__(info.native_name, parent)
        self.code = info.code
        # The style sheet picks the size by object name, so it is set before the button is first polished.
        self.setObjectName("LanguageChoice" if in_picker else "AttractLanguage")
        self.setCheckable(in_picker)
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 40)
        layout.setSpacing(24)
        self.heading = QLabel(self)
        self.heading.setObjectName("ScreenTitle")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.grid = QGridLayout()
        self.grid.setSpacing(20)
        layout.addLayout(self.grid, 1)
        self.buttons = [LanguageButton(info, self) for info in languages]
        for button in self.buttons:
            button.clicked.connect(lambda _checked=False, code=button.code: self.languageChosen.emit(code))
        self._columns = 0
        self._place(2)
        self.retranslate()

    def set_current(self, code: str) -> None:
        for button in self.buttons:
            button.setChecked(button.code == code)

    def retranslate(self) -> None:
        self.heading.setText(_("Choose your language"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place(4 if event.size().width() > event.size().height() * 1.2 else 2)
        super().resizeEvent(event)

    def _place(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for button in self.buttons:
            self.grid.removeWidget(button)
        for index, button in enumerate(self.buttons):
            self.grid.addWidget(button, index // columns, index % columns)
