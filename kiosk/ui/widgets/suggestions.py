"""Suggestions under a field, inside the form: large rows a patient taps, never a pop-up over the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from kiosk.ui.widgets.button_text import literal

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
        self.rows: list[QPushButton] = []  # the rows shown now
        self._pool: list[QPushButton] = []
        self._values: list[str] = []
        self._texts: list[str] = []
        self.hide()

    def row_height(self) -> int:
        """Height one more row adds (the style sheet decides a button's height)."""
        self._grow(1)
        return self._pool[0].sizeHint().height() + self._layout.spacing()

    def show_suggestions(self, items: list[tuple[str, str]]) -> None:
        self._grow(len(items))
        self._values = [value for value, _text in items]
        self._texts = [text for _value, text in items]
        for index, button in enumerate(self._pool):
            if index < len(items):
                button.setText(literal(items[index][1]))
                button.setAccessibleName(items[index][1])
            button.setVisible(index < len(items))
        self.rows = self._pool[:len(items)]
        self.setVisible(bool(items))

    def _grow(self, count: int) -> None:
        # Rows are reused: the list changes at every letter typed.
        while len(self._pool) < count:
            button = QPushButton(self)
            button.setObjectName("Suggestion")
            button.setMinimumHeight(ROW_HEIGHT_PX)
            # The field keeps the focus (and the keyboard stays open) while the patient picks.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            row = len(self._pool)
            button.clicked.connect(lambda _checked=False, row=row: self.chosen.emit(self._values[row]))
            self._layout.addWidget(button)
            button.hide()
            self._pool.append(button)

    def values(self) -> list[str]:
        """The texts of the rows shown now, as written (a button's own text doubles any "&")."""
        return self._texts[:len(self.rows)]
