"""Where a patient's finger goes: the kiosk built offscreen at full-screen size, driven through a journey.

    python bench/kiosk_layout.py --config FILE [--size 1920x1080]

Prints one JSON object: the Arabic button and the whole language row on the start screen, the top bar and its
consultation button in English and in Arabic, and the taps of a journey (language -> sections -> form ->
typing on the on-screen keyboard -> home) in window coordinates. Each tap is made offscreen too, so the next
position is taken from the screen that tap led to. The window is full screen at (0, 0), so window
coordinates are screen coordinates.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.app import build_kiosk, use_offscreen_platform
from kiosk.config import load_config
from kiosk.session.navigator import Screen


def rect_of(widget: QWidget, window: QWidget) -> list[int]:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def per_language(kiosk, window: QWidget) -> dict:
    """Where the home screen's tiles, the top bar's buttons and the picker's language buttons are in each
    language (right-to-left ones mirror them)."""
    places = {}
    for code in kiosk.translator.enabled:
        kiosk.translator.set_language(code)
        kiosk.navigator.home()
        settle()
        bar = window.top_bar
        entry = {"tiles": [rect_of(tile, window) for tile in kiosk.home.tiles],
                 "home_button": rect_of(bar.home_button, window),
                 "language_button": rect_of(bar.language_button, window),
                 "consult": rect_of(bar.consult_button, window)}
        kiosk.navigator.go(Screen.LANGUAGES)
        settle()
        entry["picker"] = {button.code: rect_of(button, window) for button in kiosk.languages.buttons}
        places[code] = entry
    kiosk.translator.set_language(kiosk.translator.default)
    kiosk.navigator.attract()
    settle()
    return places


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--size", default="1920x1080")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    use_offscreen_platform()
    kiosk = build_kiosk(load_config(args.config), None, kiosk_mode=False)
    window = kiosk.window
    window.resize(width, height)
    kiosk.finish_startup()
    window.show()
    settle()
    out: dict = {"taps": []}
    buttons = kiosk.attract.language_buttons
    arabic = next(button for button in buttons if button.code == "ar")
    out["arabic_button"] = rect_of(arabic, window)
    out["language_buttons"] = [rect_of(button, window) for button in buttons]

    def tap(name: str, widget: QWidget, pause_ms: int = 800) -> None:
        x, y, w, h = rect_of(widget, window)
        out["taps"].append({"name": name, "x": x + w // 2, "y": y + h // 2, "pause_ms": pause_ms})
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
        settle()

    kiosk.translator.set_language("en")
    kiosk.navigator.home()
    settle()
    out["top_bar_en"] = rect_of(window.top_bar, window)
    out["consult_en"] = rect_of(window.top_bar.consult_button, window)
    kiosk.reset_visit()
    settle()

    tap("language ar", arabic, 1200)
    out["top_bar_ar"] = rect_of(window.top_bar, window)
    out["consult_ar"] = rect_of(window.top_bar.consult_button, window)
    for index in (0, 1, 2):
        tile = kiosk.home.tiles[index]
        tap(f"section {tile.section_id}", tile, 1200)
        tap("home", window.top_bar.home_button, 800)
    tap("consultation form", window.top_bar.consult_button, 1500)
    assert kiosk.form is not None
    tap("name field", kiosk.form.full_name, 1000)
    letters = [key for key in kiosk.keyboard.panel.keys if not key.key.action][:8]
    for key in letters:
        tap(f"key {key.key.text}", key, 250)
    out["typed"] = kiosk.form.full_name.text()
    tap("home", window.top_bar.home_button, 1500)
    out["final_screen"] = window.current_screen()
    out["by_language"] = per_language(kiosk, window)
    kiosk.shutdown()
    json.dump(out, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
