"""The on-screen keyboard: part of the kiosk window, in the patient's alphabet, one page per kind of field.

It is drawn with the kiosk's own widgets, below the screens, so it takes its room from the layout: the
screen above it shrinks and the field being typed into stays in sight, on Wayland (cage), X11 and Windows
alike. (Qt Virtual Keyboard's own window does not appear for a Wayland client, and its in-window QML panel
would bring Qt Quick, a QML engine and seconds of loading to a kiosk whose keyboard is eight alphabets.)

A field's input-method hints choose the page: a dial pad with "+" for the phone, digits for the age, Latin
letters with "@" for the e-mail address, the patient's own letters for the rest. Every newly focused field
starts on its own page, so after a switch to Latin for the e-mail address the description is in the
patient's alphabet again.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from kiosk.i18n import _
from kiosk.i18n import keyboard_layouts as layouts
from kiosk.i18n.keyboard_layouts import Action, FieldKind, Key, Page
from kiosk.i18n.languages import language_info
from kiosk.ui.onscreen_keyboard import KeyboardPanel, row_height_for
from kiosk.ui.theme import Palette

# A few letters that say "this alphabet" on the key that switches to it.
ALPHABET_SAMPLES = {"en": "abc", "de": "äöü", "fr": "éèà", "tr": "ğşı", "ru": "абв", "uk": "їєґ", "ar": "أبج",
                    "fa": "ابپ"}


def field_kind(widget: QWidget) -> FieldKind:
    hints = widget.inputMethodHints()
    if hints & Qt.InputMethodHint.ImhDialableCharactersOnly:
        return FieldKind.PHONE
    if hints & Qt.InputMethodHint.ImhDigitsOnly:
        return FieldKind.DIGITS
    if hints & (Qt.InputMethodHint.ImhEmailCharactersOnly | Qt.InputMethodHint.ImhLatinOnly):
        return FieldKind.EMAIL
    return FieldKind.TEXT


def takes_typing(widget: QObject | None) -> bool:
    """A field the patient types into (the keyboard opens for it)."""
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return not widget.isReadOnly() and widget.isEnabled()
    return isinstance(widget, QComboBox) and widget.isEditable()


class VirtualKeyboard(QObject):
    """Opens the keyboard for a focused field, types what its keys say, and closes it when the field goes."""

    def __init__(self, host: QWidget, enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent or host)
        self._host = host
        self._enabled = enabled
        self._language = "en"
        self._page = Page.LETTERS
        self._shift = False
        self._western_digits = False
        self._field: QWidget | None = None
        self.panel = KeyboardPanel(host)
        self.panel.hide()
        self.panel.keyTapped.connect(self._on_key)
        self._listening = enabled  # to the application's focus changes, until close()
        if enabled:
            app = QApplication.instance()
            app.focusChanged.connect(self._on_focus_changed)  # type: ignore[attr-defined]
            host.installEventFilter(self)

    # --- state -------------------------------------------------------------------------------------------
    @property
    def visible(self) -> bool:
        return self.panel.isVisible()

    @property
    def page(self) -> Page:
        return self._page

    @property
    def field(self) -> QWidget | None:
        return self._field

    def set_language(self, language: str) -> None:
        self._language = language
        self.reset_page()

    def reset_page(self) -> None:
        """Back to the page the focused field opens on (its own alphabet or pad)."""
        if self._field is not None:
            self._western_digits = False
            self._open_page(layouts.page_for(field_kind(self._field)))

    def set_palette(self, palette: Palette) -> None:
        self.panel.set_palette(palette)

    def key_for(self, text: str = "", action: Action | None = None):
        """The button on the current page that types ``text`` (or does ``action``), for tests and tools."""
        return next((button for button in self.panel.keys
                     if (action is not None and button.key.action is action)
                     or (action is None and button.key.text == text)), None)

    # --- opening and closing -------------------------------------------------------------------------------
    def focus(self, field: QWidget) -> None:
        """Put the focus in a field from code; the keyboard opens as for a tap."""
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        if QApplication.focusWidget() is not field:  # an inactive window (an X server without window manager)
            self._open_for(field)

    def hide(self) -> None:
        """Close the keyboard and take the focus off the field: the next visitor finds no keyboard open."""
        field = self._field
        self._close()
        if field is not None and field.hasFocus():
            field.clearFocus()

    def close(self) -> None:
        """Before the window goes: focus moves while widgets are destroyed, and nothing must answer it here."""
        self.hide()
        if self._listening:
            self._listening = False
            QApplication.instance().focusChanged.disconnect(self._on_focus_changed)  # type: ignore[attr-defined]

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not shiboken6.isValid(self.panel):
            return
        if new is not None and new in self.panel.keys:
            return
        if takes_typing(new) and new.window() is self._host.window():
            self._open_for(new)
        else:
            self._close()

    def _open_for(self, field: QWidget) -> None:
        if not self._enabled:
            return
        self._field = field
        self.reset_page()
        self.panel.show()

    def _close(self) -> None:
        self._field = None
        self.panel.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:  # keys as tall as the screen allows (row_height_for)
            self.panel.set_row_height(row_height_for(self._host.window().height()))
        return False

    # --- pages ---------------------------------------------------------------------------------------------
    def _open_page(self, page: Page) -> None:
        self._page = page
        self._shift = self._auto_shift()
        self._draw()

    def _draw(self) -> None:
        page = self._page
        keys = layouts.layout(page, self._language, shifted=self._shift, western=self._western_digits)
        self.panel.show_layout(keys, self._labels())
        self.panel.set_shift(self._shift)

    def _labels(self) -> dict[Action, str]:
        own = self._language.split("-")[0]
        own_sample = ALPHABET_SAMPLES.get(own, "abc")
        own_digits = layouts.digits_for(self._language)
        alphabet_name = language_info(layouts.LATIN if self._page in (Page.LATIN, Page.EMAIL) else self._language)
        return {
            Action.SPACE: alphabet_name.native_name if self._page in (Page.LETTERS, Page.LATIN) else _("Space"),
            Action.SYMBOLS: "?" + own_digits[1:4],
            Action.LETTERS: own_sample,
            Action.LATIN: "abc" if self._page is Page.LETTERS else own_sample,
            Action.OTHER_DIGITS: "123" if not self._western_digits else own_digits[1:4],
            Action.NEXT: _("Next"),
        }

    def _auto_shift(self) -> bool:
        """A capital for the first letter of a name or a description."""
        field = self._field
        if field is None or self._page not in (Page.LETTERS, Page.LATIN) or field_kind(field) is not FieldKind.TEXT:
            return False
        return not _field_text(field)

    # --- typing ----------------------------------------------------------------------------------------------
    def _on_key(self, key: Key) -> None:
        field = self._field
        if field is None:
            return
        if key.action is None:
            self._type(field, key.text)
            if self._shift:
                self._shift = False
                self._draw()
            return
        action = key.action
        if action is Action.SPACE:
            self._type(field, " ")
        elif action is Action.BACKSPACE:
            self._press(field, Qt.Key.Key_Backspace)
        elif action is Action.NEXT:
            self._press(field, Qt.Key.Key_Return)
        elif action is Action.HIDE:
            self.hide()
        elif action is Action.SHIFT:
            self._shift = not self._shift
            self._draw()
        elif action is Action.SYMBOLS:
            self._page = Page.SYMBOLS
            self._draw()
        elif action is Action.LETTERS:
            self._western_digits = False
            self._open_page(Page.LETTERS)
        elif action is Action.LATIN:
            self._open_page(Page.LETTERS if self._page is Page.LATIN else Page.LATIN)
        elif action is Action.OTHER_DIGITS:
            self._western_digits = not self._western_digits
            self._draw()

    def _type(self, field: QWidget, text: str) -> None:
        # Committed as an input method does: unlike a key event this also types the Persian half-space
        # (a format character a QLineEdit would drop) and respects the field's maximum length.
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(field, event)

    def _press(self, field: QWidget, key: Qt.Key) -> None:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(field, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier))


def _field_text(field: QWidget) -> str:
    if isinstance(field, QLineEdit):
        return field.text()
    if isinstance(field, QPlainTextEdit):
        return field.toPlainText()
    if isinstance(field, QComboBox):
        return field.currentText()
    return ""


def clear_selections() -> None:
    """The clipboard and X11's primary selection (what a middle click pastes) forget the last visitor."""
    clipboard = QGuiApplication.clipboard()
    if clipboard is None:
        return
    clipboard.clear()
    if clipboard.supportsSelection():
        clipboard.clear(clipboard.Mode.Selection)
