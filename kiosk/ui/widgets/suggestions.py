"""Suggestions under a field, inside the form: large rows a patient taps, never a pop-up over the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

ROW_HEIGHT_PX = 80


class SuggestionList(QWidget):
    """Shows ``(value, text)`` rows; ``chosen`` says which value was tapped."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Suggestions")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.rows: list[QPushButton] = []
        self.hide()

    def show_suggestions(self, items: list[tuple[str, str]]) -> None:
        for button in self.rows:
            button.hide()
            button.deleteLater()
        self.rows = []
        for value, text in items:
            button = QPushButton(text, self)
            button.setObjectName("Suggestion")
            button.setMinimumHeight(ROW_HEIGHT_PX)
            # The field keeps the focus (and the keyboard stays open) while the patient picks.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _checked=False, chosen=value: self.chosen.emit(chosen))
            self._layout.addWidget(button)
            self.rows.append(button)
        self.setVisible(bool(items))

    def values(self) -> list[str]:
        return [button.text() for button in self.rows]
