"""Choices a visitor makes that must not outlive the visit (text size; later contrast)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

TEXT_SCALES = (1.0, 1.25, 1.5)


class Visit(QObject):
    textScaleChanged = Signal(float)
    highContrastChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text_step = 0
        self._high_contrast = False

    @property
    def text_step(self) -> int:
        return self._text_step

    @property
    def text_scale(self) -> float:
        return TEXT_SCALES[self._text_step]

    def set_text_step(self, step: int) -> None:
        step = max(0, min(step, len(TEXT_SCALES) - 1))
        if step != self._text_step:
            self._text_step = step
            self.textScaleChanged.emit(self.text_scale)

    def cycle_text_size(self) -> None:
        self.set_text_step((self._text_step + 1) % len(TEXT_SCALES))

    @property
    def high_contrast(self) -> bool:
        return self._high_contrast

    def set_high_contrast(self, on: bool) -> None:
        if on != self._high_contrast:
            self._high_contrast = on
            self.highContrastChanged.emit(on)

    def toggle_high_contrast(self) -> None:
        self.set_high_contrast(not self._high_contrast)

    def reset(self) -> None:
        self.set_text_step(0)
        self.set_high_contrast(False)
