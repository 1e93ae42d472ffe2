"""The on-screen keyboard (Qt Virtual Keyboard): its layout follows the patient's language.

Qt loads the keyboard as an input-method plugin chosen by ``QT_IM_MODULE``, read once when the application
object is created, so :func:`enable_virtual_keyboard` must run before that. The keyboard's language lives in
a QML singleton (``VirtualKeyboardSettings``) inside the keyboard's own window, which only exists once the
keyboard has been shown: the wanted layout is remembered and applied whenever that window appears. The
field's input-method hints pick the rest: a dial pad for the phone, digits for the age, a Latin layout for
the e-mail address (``ImhLatinOnly``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from PySide6.QtCore import QEventLoop, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QWindow
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

IM_MODULE = "qtvirtualkeyboard"
# The keyboard's own layouts for our languages; English is also the Latin layout the language key switches to.
LAYOUTS = {"en": "en_GB", "tr": "tr_TR", "ar": "ar_AR", "fa": "fa_FA", "ru": "ru_RU", "de": "de_DE",
           "fr": "fr_FR", "uk": "uk_UA"}
LATIN_LAYOUT = "en_GB"
PRELOAD_SECONDS = 15.0


def enable_virtual_keyboard() -> None:
    """Ask Qt for the on-screen keyboard. Call before the QApplication exists; an explicit
    ``QT_IM_MODULE`` (a site that brings its own keyboard) wins."""
    os.environ.setdefault("QT_IM_MODULE", IM_MODULE)


def is_virtual_keyboard_active() -> bool:
    return os.environ.get("QT_IM_MODULE") == IM_MODULE


def layout_for(language: str, available: list[str] | None = None) -> str:
    """The keyboard layout for a UI language: ours, else one of the keyboard's with the same language, else
    the Latin layout."""
    wanted = LAYOUTS.get(language)
    if available is None:
        return wanted or LATIN_LAYOUT
    if wanted in available:
        return wanted
    base = language.split("_")[0].split("-")[0]
    return next((name for name in available if name.split("_")[0] == base), LATIN_LAYOUT)


class VirtualKeyboard(QObject):
    """Keeps the keyboard's layout on the patient's language, opens it on one tap, reports the room it takes.

    Every call that can make Qt load keyboard QML goes through here, inside ``without_python_translators``:
    Qt loads QML on a worker thread that asks the installed translators to translate, and a translator
    created from Python needs the interpreter lock. A load started from Python code (which holds the lock
    while Qt waits for the worker) would otherwise hang the kiosk for good.
    """

    heightChanged = Signal(int)  # pixels of the screen's bottom the keyboard covers (0 when hidden)

    def __init__(self, without_python_translators: Callable[[], AbstractContextManager] = nullcontext,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._language = "en"
        self._set_aside = without_python_translators
        self._all_layouts: list[str] | None = None
        self._settings_object: QObject | None = None
        self._input = QGuiApplication.inputMethod()
        self._input.visibleChanged.connect(self._on_visibility)
        self._input.keyboardRectangleChanged.connect(self._report_height)
        if is_virtual_keyboard_active():
            app = QGuiApplication.instance()
            app.focusObjectChanged.connect(self._on_focus_object)  # type: ignore[attr-defined]

    @property
    def visible(self) -> bool:
        return self._input.isVisible()

    def set_language(self, language: str) -> None:
        self._language = language
        self._apply_layout()

    def preload(self, host: QWidget) -> bool:
        """Load the keyboard's QML now, while the attract screen shows, rather than on a patient's first
        tap (two seconds on a small kiosk PC). Returns whether the keyboard is ready."""
        if not is_virtual_keyboard_active() or self.panel_window() is not None:
            return self.panel_window() is not None
        probe = QLineEdit(host)
        probe.setGeometry(0, 0, 1, 1)
        probe.show()
        previous = QApplication.focusWidget()
        with self._set_aside():
            probe.setFocus()
            deadline = time.monotonic() + PRELOAD_SECONDS
            while self.panel_window() is None and time.monotonic() < deadline:
                QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            self._input.hide()
            probe.clearFocus()
        probe.deleteLater()
        if previous is not None:
            previous.setFocus()
        self._apply_layout()
        return self.panel_window() is not None

    def focus(self, field: QWidget) -> None:
        """Put the focus in a field from code (the keyboard opens as for a tap)."""
        with self._set_aside():
            field.setFocus()
            self._show_for(field)

    def hide(self) -> None:
        """Hide the keyboard and take the focus off every field: quitting while the keyboard shows crashes
        Qt, and the next visitor must not find a keyboard left open."""
        focus = QGuiApplication.focusObject()
        with self._set_aside():
            self._input.hide()
            if isinstance(focus, QWidget):
                focus.clearFocus()

    def close(self) -> None:
        """Before the application ends: hide the keyboard and let Qt finish doing so, then close its window.
        A keyboard window still open when the application object goes away aborts the process."""
        self.hide()
        window = self.panel_window()
        with self._set_aside():
            QApplication.processEvents()
            if window is not None:
                window.close()
                window.destroy()
            QApplication.processEvents()

    def current_layout(self) -> str:
        settings = self._settings()
        return str(settings.property("locale")) if settings is not None else ""

    def panel_window(self) -> QWindow | None:
        if not is_virtual_keyboard_active():
            return None
        return next((window for window in QGuiApplication.topLevelWindows()
                     if window.metaObject().className() == "QtVirtualKeyboard::InputView"), None)

    def grab_panel(self) -> QImage | None:
        """The keyboard as the screen shows it now (for screenshots), or None when it is not showing."""
        window = self.panel_window()
        if window is None or not window.isVisible() or window.screen() is None:
            return None
        frame = window.geometry()
        image = window.screen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height()).toImage()
        return None if image.isNull() else image

    def _settings(self) -> QObject | None:
        """The keyboard's ``VirtualKeyboardSettings``, found through any QML object of its window (QtQml is
        enough; QtQuick's Python module would bring QtOpenGL's 9 MB into the build)."""
        if self._settings_object is not None:
            return self._settings_object
        window = self.panel_window()
        if window is None:
            return None
        from PySide6.QtQml import qmlEngine

        for child in window.findChildren(QObject):
            engine = qmlEngine(child)
            if engine is not None:
                self._settings_object = engine.singletonInstance("QtQuick.VirtualKeyboard.Settings",
                                                                 "VirtualKeyboardSettings")
                break
        return self._settings_object

    def _apply_layout(self) -> None:
        settings = self._settings()
        if settings is None:
            return  # applied when the keyboard's window appears
        if self._all_layouts is None:
            # Read before the first change: the keyboard narrows this list to the active locales afterwards.
            self._all_layouts = list(settings.property("availableLocales") or [])
        layout = layout_for(self._language, self._all_layouts or None)
        with self._set_aside():
            # The language key switches between the patient's script and Latin (for an e-mail address). The
            # keyboard refuses a locale outside its active ones, so those come first.
            settings.setProperty("activeLocales", list(dict.fromkeys([layout, LATIN_LAYOUT])))
            if settings.property("locale") != layout:
                settings.setProperty("locale", layout)

    def _on_focus_object(self, focus: QObject | None) -> None:
        if isinstance(focus, QWidget):
            self._show_for(focus)

    def _show_for(self, field: QWidget) -> None:
        # Qt opens the keyboard only on a second tap of a focused field; one tap must be enough.
        if field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled) and field.isVisible():
            with self._set_aside():
                self._input.show()

    def _on_visibility(self) -> None:
        if self._input.isVisible():
            self._apply_layout()
        self._report_height()

    def _report_height(self) -> None:
        rectangle: QRectF = self._input.keyboardRectangle()
        self.heightChanged.emit(round(rectangle.height()) if self._input.isVisible() else 0)


def compose_with_keyboard(window_image: QImage, keyboard: QImage | None) -> QImage:
    """The window with the keyboard drawn over its bottom edge, as a patient sees them together."""
    if keyboard is None or keyboard.isNull():
        return window_image
    result = window_image.copy()
    painter = QPainter(result)
    scaled = keyboard.scaledToWidth(result.width())
    painter.drawImage(0, result.height() - scaled.height(), scaled)
    painter.end()
    return result
