"""Typing as a patient does: by tapping the on-screen keyboard's keys (pointer events at their centres)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.i18n.keyboard_layouts import Action

# Keys that lead to another page, tried in this order to find a character that is not on the current one.
PAGE_KEYS = (Action.SHIFT, Action.SYMBOLS, Action.LATIN, Action.OTHER_DIGITS, Action.LETTERS)


def tap(widget: QWidget) -> None:
    """A finger on the widget's centre, as the kiosk's touch screen reports it (a left-button click)."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, widget.rect().center())
    QApplication.processEvents()


def tap_field(kiosk, field: QWidget) -> None:
    """Touch a text field: it takes the focus and the keyboard opens for it."""
    QTest.mouseClick(field, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(10, 10))
    QApplication.processEvents()
    if not kiosk.keyboard.visible or kiosk.keyboard.field is not field:
        kiosk.keyboard.focus(field)  # offscreen windows are never active, so a click gives no focus event
        QApplication.processEvents()
    assert kiosk.keyboard.visible and kiosk.keyboard.field is field


def tap_action(kiosk, action: Action) -> None:
    key = kiosk.keyboard.key_for(action=action)
    assert key is not None, f"no {action} key on the {kiosk.keyboard.page} page"
    tap(key)


def type_by_keys(kiosk, text: str) -> None:
    """Tap the keys that type ``text``, switching pages (shift, symbols, Latin, digits) where needed."""
    for char in text:
        if char == " ":
            tap_action(kiosk, Action.SPACE)
            continue
        key = kiosk.keyboard.key_for(char)
        if key is None:
            key = _switch_to_page_with(kiosk, char)
        tap(key)


def _switch_to_page_with(kiosk, char: str):
    """Find the page that has ``char``: one or two page keys away from the field's own page."""
    keyboard = kiosk.keyboard
    sequences = [(first,) for first in PAGE_KEYS] + [(first, second) for first in PAGE_KEYS for second in PAGE_KEYS
                                                     if first is not second]
    for sequence in sequences:
        keyboard.reset_page()
        if keyboard.key_for(char) is not None:
            return keyboard.key_for(char)
        for action in sequence:
            if keyboard.key_for(action=action) is None:
                break
            tap_action(kiosk, action)
        else:
            key = keyboard.key_for(char)
            if key is not None:
                return key
    raise AssertionError(f"no key types {char!r} from the {keyboard.page} page")


def visible_in_window(widget: QWidget) -> tuple[int, int]:
    """(top, bottom) of ``widget`` in window coordinates."""
    top_left = widget.mapTo(widget.window(), QPoint(0, 0))
    return top_left.y(), top_left.y() + widget.height()
