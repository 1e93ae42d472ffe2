"""Text fields that stop at their limit and refuse an over-long insertion whole instead of cutting it.

``QLineEdit.setMaxLength`` silently keeps the first characters of a paste; for a patient's name or
symptoms that is a changed message nobody notices. Here a keystroke past the limit, or a paste that
would pass it, is refused as a whole and ``refused`` is emitted so the form can say why.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QTextCursor, QValidator
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit


class _AtMost(QValidator):
    def __init__(self, limit: int, parent: QObject) -> None:
        super().__init__(parent)
        self._limit = limit

    def validate(self, text: str, position: int) -> tuple[QValidator.State, str, int]:
        state = QValidator.State.Invalid if len(text) > self._limit else QValidator.State.Acceptable
        return state, text, position


class LengthLimit(QObject):
    """Holds ``widget`` (a line edit or a plain text edit) to ``limit`` characters."""

    refused = Signal()

    def __init__(self, widget: QLineEdit | QPlainTextEdit, limit: int) -> None:
        super().__init__(widget)
        self.limit = limit
        self._widget = widget
        if isinstance(widget, QLineEdit):
            widget.setMaxLength(32767)  # the validator decides; maxLength would cut a paste instead
            widget.setValidator(_AtMost(limit, widget))
            widget.inputRejected.connect(self.refused)
        else:
            self._accepted = widget.toPlainText()
            widget.textChanged.connect(self._check_plain_text)

    def _check_plain_text(self) -> None:
        widget = self._widget
        assert isinstance(widget, QPlainTextEdit)
        text = widget.toPlainText()
        if len(text) <= self.limit:
            self._accepted = text
            return
        # Put back what was there before the insertion, with the cursor where the insertion began.
        position = min(widget.textCursor().position(), len(self._accepted))
        inserted = len(text) - len(self._accepted)
        widget.blockSignals(True)
        widget.setPlainText(self._accepted)
        widget.blockSignals(False)
        cursor = widget.textCursor()
        cursor.setPosition(max(0, min(position - inserted, len(self._accepted))), QTextCursor.MoveMode.MoveAnchor)
        widget.setTextCursor(cursor)
        self.refused.emit()

    def forget(self) -> None:
        """The field was emptied for the next visitor."""
        if isinstance(self._widget, QPlainTextEdit):
            self._accepted = self._widget.toPlainText()
