"""Render one screen of the kiosk to a PNG, offscreen: for tests, documentation and staff."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from kiosk.config import Config
from kiosk.session.navigator import Screen

SAMPLE_REFERENCE = "K7MP-Q2XW"


class ScreenshotError(ValueError):
    pass


def take_screenshot(config: Config, screen: str, language: str | None, size: tuple[int, int], out: Path,
                    content_dir: Path | None = None, text_step: int = 0, high_contrast: bool = False,
                    keyboard: str = "") -> None:
    from kiosk.app import build_kiosk
    from kiosk.i18n.languages import PSEUDO_LANGUAGES

    if language in PSEUDO_LANGUAGES:
        config = config.with_overrides(languages__pseudo=True)
    # No speech engine for a picture: it would start a process (and speech-dispatcher) for nothing, and
    # whether Read aloud shows would depend on how fast that went.
    config = config.with_overrides(speech__enabled=False)
    if keyboard and screen != Screen.FORM.value:
        raise ScreenshotError("--keyboard needs --screen form: the keyboard opens for a form field")
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
        if keyboard:
            _open_keyboard(kiosk, keyboard)
        image = kiosk.window.grab().toImage()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out), "PNG"):
            raise ScreenshotError(f"could not write {out}")
    finally:
        kiosk.shutdown()


def _open_keyboard(kiosk, field_name: str) -> None:
    """Touch a form field as a patient would: the keyboard opens and the form scrolls the field above it."""
    assert kiosk.form is not None
    field = getattr(kiosk.form, field_name, None)
    if not isinstance(field, QWidget) or field_name.startswith("_"):
        raise ScreenshotError(f"the form has no field {field_name!r}")
    kiosk.keyboard.focus(field)
    for _ in range(5):
        QApplication.processEvents()
    if not kiosk.keyboard.visible:
        raise ScreenshotError(f"the on-screen keyboard did not open for {field_name} (keyboard.virtual is off?)")
