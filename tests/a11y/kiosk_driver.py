"""The kiosk as `kiosk run` builds it, full screen on an X server, with accessibility on; for tests that
operate it from outside through AT-SPI (tests/a11y/atspi_client.py).

    python -m tests.a11y.kiosk_driver WIDTHxHEIGHT

It prints "READY" once the first frame is up, then answers one JSON line per JSON line on stdin:

    {"cmd": "state"}            -> screen, language, high contrast, idle countdown shown, focused widget
    {"cmd": "grab", "path": P}  -> saves the screen's pixels as the X server has them (PNG)
    {"cmd": "done"}             -> the confirmation as after Send (the kiosk's own submit path)
    {"cmd": "idle"}             -> the idle countdown now
    {"cmd": "unfocus"}          -> no widget has the focus (to photograph a control without its focus ring)
    {"cmd": "buttons"}          -> every visible button's label and accessible name
    {"cmd": "quit"}

Patients' actions are not here: the test takes them through the accessibility bus.
"""

from __future__ import annotations

import json
import select
import sys
import time


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QAbstractButton, QApplication

    from kiosk.app import build_kiosk
    from kiosk.config import load_config

    width, height = (int(part) for part in sys.argv[1].split("x"))
    config = load_config()
    kiosk = build_kiosk(config, None, kiosk_mode=True)
    kiosk.show()
    kiosk.finish_startup()
    app = QApplication.instance()

    def state() -> dict:
        focused = app.focusWidget()
        return {"screen": kiosk.window.current_screen(), "language": kiosk.translator.language,
                "section": kiosk.navigator.section,
                "channel": kiosk.form.channel.value() if kiosk.form is not None else None,
                "high_contrast": kiosk.visit.high_contrast, "idle": kiosk.window.idle_overlay.isVisible(),
                "focus": focused.accessibleName() if focused is not None else None,
                "focus_class": type(focused).__name__ if focused is not None else None,
                "focus_rect": _rect_in_window(focused),
                "window": [kiosk.window.x(), kiosk.window.y(), kiosk.window.width(), kiosk.window.height()],
                "size": [width, height]}

    def _rect_in_window(widget) -> list[int] | None:
        if widget is None or widget.window() is not kiosk.window:
            return None
        corner = widget.mapTo(kiosk.window, widget.rect().topLeft())
        return [corner.x(), corner.y(), widget.width(), widget.height()]

    def buttons() -> list[dict]:
        return [{"text": button.text(), "name": button.accessibleName(), "class": type(button).__name__,
                 "object": button.objectName()}
                for button in kiosk.window.findChildren(QAbstractButton)
                if button.isVisible() and button.text()]

    def settle() -> None:
        # What changed has been painted and sent to the X server before its pixels are read.
        deadline = time.monotonic() + 0.15
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)

    def answer(request: dict) -> dict:
        command = request["cmd"]
        if command == "state":
            return state()
        if command == "grab":
            settle()
            screen = kiosk.window.screen()
            return {"saved": screen.grabWindow(0).save(request["path"])}
        if command == "done":
            kiosk.done.show_result("K7MP-Q2XW", already_sent=False)
            from kiosk.session.navigator import Screen

            kiosk.navigator.go(Screen.DONE)
            kiosk.done.take_focus()
            return state()
        if command == "focus_combo":
            from PySide6.QtCore import Qt
            from PySide6.QtWidgets import QComboBox

            combo = next(box for box in kiosk.window.findChildren(QComboBox) if box.isVisible())
            combo.setFocus(Qt.FocusReason.TabFocusReason)
            return state()
        if command == "unfocus":
            focused = app.focusWidget()
            if focused is not None:
                focused.clearFocus()
            return state()
        if command == "idle":
            kiosk.idle.warn_now()
            return state()
        if command == "buttons":
            return {"buttons": buttons()}
        if command == "quit":
            kiosk.shutdown()
            app.quit()
            return {"bye": True}
        return {"error": f"unknown command {command!r}"}

    def poll() -> None:
        while select.select([sys.stdin], [], [], 0)[0]:
            line = sys.stdin.readline()
            if not line:
                kiosk.shutdown()
                app.quit()
                return
            print(json.dumps(answer(json.loads(line)), ensure_ascii=False), flush=True)

    timer = QTimer(kiosk.window)
    timer.setInterval(30)
    timer.timeout.connect(poll)
    timer.start()
    print("READY", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
