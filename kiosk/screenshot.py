"""Render one screen of the kiosk to a PNG, offscreen: for tests, documentation and staff."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from kiosk.config import Config
from kiosk.session.navigator import Screen

SAMPLE_REFERENCE = "K7MP-Q2XW"


class ScreenshotError(ValueError):
    pass


def take_screenshot(config: Config, screen: str, language: str | None, size: tuple[int, int], out: Path,
                    content_dir: Path | None = None, text_step: int = 0, high_contrast: bool = False,
                    keyboard: bool = False) -> None:
    from kiosk.app import build_kiosk
    from kiosk.i18n.languages import PSEUDO_LANGUAGES

    if language in PSEUDO_LANGUAGES:
        config = config.with_overrides(languages__pseudo=True)
    if keyboard:
        if screen != Screen.FORM.value:
            raise ScreenshotError("--keyboard needs --screen form: the keyboard opens for a form field")
        from kiosk.ui.keyboard import enable_virtual_keyboard

        enable_virtual_keyboard()
    kiosk = build_kiosk(config, content_dir, kiosk_mode=False)
    # At its final size before the screens built after the first frame lay themselves out.
    kiosk.window.resize(*size)
    kiosk.finish_startup()
    try:
        if language:
            try:
                kiosk.translator.set_language(language)
            except ValueError as error:
                raise ScreenshotError(str(error)) from error
        kiosk.visit.set_text_step(text_step)
        kiosk.visit.set_high_contrast(high_contrast)
        name, _, argument = screen.partition(":")
        if name == Screen.READER.value:
            if argument not in kiosk.library.section_ids:
                raise ScreenshotError(
                    f"unknown section {argument!r}; sections: {', '.join(kiosk.library.section_ids)}")
            kiosk.navigator.open_section(argument)
        elif name in kiosk.screen_names() and name != Screen.READER.value:
            if name == Screen.DONE.value:
                kiosk.done.show_result(SAMPLE_REFERENCE, already_sent=False)  # as after a real request
            kiosk.navigator.go(Screen(name))
        else:
            known = ", ".join(sorted(kiosk.screen_names() - {Screen.READER.value})) + ", reader:<section>"
            raise ScreenshotError(f"unknown screen {screen!r}; screens: {known}")
        kiosk.window.resize(*size)
        kiosk.window.show()
        for _ in range(3):
            QApplication.processEvents()
        image = kiosk.window.grab().toImage()
        if keyboard:
            image = _with_keyboard(kiosk)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out), "PNG"):
            raise ScreenshotError(f"could not write {out}")
    finally:
        kiosk.shutdown()


def _with_keyboard(kiosk) -> QImage:
    """Touch the name field as a patient would, wait for the keyboard, and draw both together."""
    from kiosk.ui.keyboard import compose_with_keyboard

    assert kiosk.form is not None
    kiosk.window.activateWindow()
    kiosk.keyboard.focus(kiosk.form.full_name)
    deadline = time.monotonic() + 10
    panel = None
    while time.monotonic() < deadline:
        QApplication.processEvents()
        panel = kiosk.keyboard.grab_panel()
        if panel is not None and kiosk.keyboard.current_layout():
            break
        time.sleep(0.05)
    if panel is None:
        raise ScreenshotError("the on-screen keyboard did not open (is Qt Virtual Keyboard installed?)")
    for _ in range(10):  # let the layout switch to the patient's language and the form make room
        QApplication.processEvents()
        time.sleep(0.05)
    return compose_with_keyboard(kiosk.window.grab().toImage(), kiosk.keyboard.grab_panel())
