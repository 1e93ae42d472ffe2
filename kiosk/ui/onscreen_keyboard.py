"""The on-screen keyboard's keys, drawn inside the kiosk window.

The panel only shows the layout it is given and reports which key was tapped; what a key does to a field
is decided by ``kiosk.ui.keyboard.VirtualKeyboard``. Keys never take the focus, so the field being typed
into keeps it (and its cursor) while the patient taps.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk import paths
from kiosk.i18n import _
from kiosk.i18n.keyboard_layouts import Action, Key, Layout, fit_width
from kiosk.ui.theme import DEFAULT_PALETTE, Palette
from kiosk.ui.touch_filter import EXEMPT_PROPERTY
from kiosk.ui.widgets.tinted_icon import tinted_icon

ICONS = {Action.SHIFT: "key-shift.svg", Action.BACKSPACE: "key-backspace.svg", Action.NEXT: "key-next.svg",
         Action.HIDE: "key-hide.svg"}
KEY_SPACING = 8  # px between keys: targets apart enough that a shaking finger hits one, not two
MIN_KEY_WIDTH = 80  # the kiosk's target size, kept on a portrait screen by narrowing the wide keys
UNIT = 100  # stretch per key width unit
ROWS_TALL = 4  # the panel is as tall as four rows of keys


def row_height_for(window_height: int) -> int:
    """Keys at least 80 px tall (the kiosk's target size), larger on a tall screen, never a giant keyboard."""
    return max(80, min(120, window_height // 9))


class KeyButton(QPushButton):
    def __init__(self, key: Key, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("KeyboardAction" if key.action else "KeyboardKey")
        # The field keeps the focus; and a double letter is two quick taps, not a bounce.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setProperty(EXEMPT_PROPERTY, True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)


class KeyboardPanel(QWidget):
    """Rows of keys; ``keyTapped`` says which."""

    keyTapped = Signal(object)  # Key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("KeyboardPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Keys sit where the patient's hands learned them (ض top left on an Arabic keyboard, 1 2 3 on a pad),
        # whichever way the screen around them reads.
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(KEY_SPACING, KEY_SPACING, KEY_SPACING, KEY_SPACING)
        self._rows.setSpacing(KEY_SPACING)
        self.keys: list[KeyButton] = []  # the buttons of the page shown, in reading order
        self._pool: list[KeyButton] = []
        self._layout: Layout = ()
        self._labels: dict[Action, str] = {}
        self._palette = DEFAULT_PALETTE
        self._row_height = 80
        self._fitted_for = -1  # the width the keys were laid out for
        self.set_palette(DEFAULT_PALETTE)

    # --- what is shown ---------------------------------------------------------------------------------
    def show_layout(self, layout: Layout, labels: dict[Action, str]) -> None:
        """Draw ``layout``; ``labels`` names the keys that act (the space bar says which alphabet this is)."""
        if layout == self._layout and labels == self._labels and self._fitted_for == self.width():
            return
        self._layout, self._labels = layout, dict(labels)
        self._fitted_for = self.width()
        self._clear()
        layout = fit_width(layout, self._units_that_fit())
        widest = max((sum(key.width for key in row) for row in layout), default=1.0)
        pool = iter(self._pool)
        for row in layout:
            line = self._row_layout()
            # Shorter rows are centred, so keys keep one width across the rows.
            margin = round((widest - sum(key.width for key in row)) * UNIT / 2)
            if margin:
                line.addStretch(margin)
            for key in row:
                if not key.text and key.action is None:
                    line.addStretch(round(key.width * UNIT))  # a gap in the pad
                    continue
                button = next(pool, None) or self._new_button()
                button.key = key
                button.setAutoRepeat(key.action is Action.BACKSPACE)
                button.setCheckable(key.action is Action.SHIFT)
                self._dress(button)
                line.addWidget(button, round(key.width * UNIT))
                button.show()
                self.keys.append(button)
            if margin:
                line.addStretch(margin)
        self._fit_height()

    def _units_that_fit(self) -> float:
        """Key widths a row may add up to with every ordinary key at least MIN_KEY_WIDTH wide."""
        width = self.width() if self.width() > MIN_KEY_WIDTH else (self.window().width() or 1920)
        return (width - KEY_SPACING) / (MIN_KEY_WIDTH + KEY_SPACING)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A rotated or resized screen: lay the same keys out again for the new width.
        if self._layout and abs(self._fitted_for - event.size().width()) > 1:
            self.show_layout(self._layout, self._labels)

    def set_row_height(self, height: int) -> None:
        self._row_height = height
        self._fit_height()

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        p = palette
        self.setStyleSheet(f"""
        #KeyboardPanel {{ background: {p.checked}; border-top: 2px solid {p.border}; }}
        QPushButton#KeyboardKey, QPushButton#KeyboardAction {{
            min-width: 0px; min-height: 0px; padding: 0px; border-radius: 10px;
            border: 2px solid {p.border}; background: {p.surface}; color: {p.text};
            font-size: 34px; font-weight: 500;
        }}
        QPushButton#KeyboardAction {{ background: {p.background}; font-size: 24px; font-weight: 600; }}
        QPushButton#KeyboardKey:pressed, QPushButton#KeyboardAction:pressed {{
            background: {p.accent}; color: {p.accent_text};
        }}
        QPushButton#KeyboardAction:checked {{ border: 4px solid {p.accent}; }}
        """)
        for button in self.keys:
            self._dress(button)

    # --- helpers ---------------------------------------------------------------------------------------
    def _dress(self, button: KeyButton) -> None:
        key = button.key
        if key.action is None:
            button.setIcon(QIcon())
            button.setText(key.label)
            button.setAccessibleName(key.label)
            return
        icon_file = ICONS.get(key.action)
        label = self._labels.get(key.action, "")
        if icon_file is not None:
            button.setIcon(QIcon(tinted_icon(paths.icons_dir() / icon_file, self._palette.text)))
            button.setIconSize(QSize(44, 44))
            button.setText(label if key.action is Action.NEXT else "")
        else:
            button.setText(label)
        button.setAccessibleName(label or _action_name(key.action))

    def set_shift(self, on: bool) -> None:
        for button in self.keys:
            if button.key.action is Action.SHIFT:
                button.setChecked(on)

    def _new_button(self) -> KeyButton:
        # Buttons are kept and reused from page to page: a shift tap relabels keys instead of rebuilding them.
        button = KeyButton(Key(), self)
        button.clicked.connect(lambda _checked=False, tapped=button: self.keyTapped.emit(tapped.key))
        self._pool.append(button)
        return button

    def _row_layout(self) -> QHBoxLayout:
        line = QHBoxLayout()
        line.setSpacing(KEY_SPACING)
        self._rows.addLayout(line, 1)
        return line

    def _clear(self) -> None:
        for button in self._pool:
            button.hide()
        self.keys = []
        while self._rows.count():
            row = self._rows.takeAt(0).layout()
            while row is not None and row.count():
                row.takeAt(0)
            if row is not None:
                row.setParent(None)

    def _fit_height(self) -> None:
        # One height for the pages of four rows, so the screen above does not jump from field to field; the
        # e-mail page's fifth row (digits) makes the panel one row taller rather than any key smaller than a
        # finger's target.
        rows = max(ROWS_TALL, len(self._layout))
        self.setFixedHeight(rows * self._row_height + (rows + 1) * KEY_SPACING)


def _action_name(action: Action) -> str:
    """What a screen reader says for a key that shows only an icon."""
    names = {
        Action.SHIFT: _("Capital letters"),
        Action.BACKSPACE: _("Delete the last character"),
        Action.NEXT: _("Next field"),
        Action.HIDE: _("Close the keyboard"),
        Action.SPACE: _("Space"),
    }
    return names.get(action, action.value)
