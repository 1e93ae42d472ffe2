"""Run under a real (virtual) screen with Qt Virtual Keyboard: prints what the keyboard did, as JSON.

Used by test_virtual_keyboard.py in a separate process, because the keyboard plugin is chosen when the
application object is created and the test process already has one.
"""

from __future__ import annotations

import json
import sys
import time

from kiosk.ui.keyboard import enable_virtual_keyboard


def _wait(condition, seconds: float = 10.0) -> bool:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if condition():
            return True
        time.sleep(0.02)
    return False


def main() -> int:
    enable_virtual_keyboard()
    from PySide6.QtGui import QGuiApplication

    from kiosk.app import build_kiosk
    from kiosk.config import load_config
    from kiosk.session.navigator import Screen

    kiosk = build_kiosk(load_config(None, environ={}), None, kiosk_mode=False)
    kiosk.window.resize(1080, 1920)
    kiosk.window.show()
    kiosk.window.activateWindow()
    _wait(lambda: kiosk.window.isActiveWindow(), 5)
    kiosk.finish_startup()
    report: dict = {"preloaded": kiosk.keyboard.panel_window() is not None, "layouts": {}}
    kiosk.navigator.home()
    kiosk.navigator.go(Screen.FORM)
    for language in kiosk.translator.enabled:
        kiosk.translator.set_language(language)  # rebuilds the untouched form in the new language
        form = kiosk.form
        kiosk.keyboard.focus(form.full_name)
        shown = _wait(lambda: QGuiApplication.inputMethod().isVisible())
        _wait(lambda: False, 0.2)
        report["layouts"][language] = {"shown": shown, "layout": kiosk.keyboard.current_layout()}
    kiosk.translator.set_language("ar")
    form = kiosk.form
    kiosk.keyboard.focus(form.age)
    _wait(lambda: QGuiApplication.inputMethod().isVisible())
    _wait(lambda: False, 0.3)
    keyboard_top = kiosk.window.height() - round(QGuiApplication.inputMethod().keyboardRectangle().height())
    field_bottom = form.age.mapTo(kiosk.window, form.age.rect().bottomLeft()).y()
    report["age_field_bottom"], report["keyboard_top"] = field_bottom, keyboard_top
    report["inset_while_open"] = form._body_layout.contentsMargins().bottom()
    kiosk.navigator.home()  # leaving the form destroys it and closes the keyboard
    report["hidden_after_home"] = _wait(lambda: not QGuiApplication.inputMethod().isVisible(), 5)
    kiosk.shutdown()
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    from kiosk.cli import _end_without_qt_teardown_if_keyboard_loaded

    code = main()
    _end_without_qt_teardown_if_keyboard_loaded(code)
    sys.exit(code)
