"""Runs the kiosk as `kiosk run` does and walks it through scenario steps, for screenshots taken from outside.

    python -m tests.e2e.cage_driver [--size WxH] STEP [STEP ...]      (a step is NAME or NAME:ARGUMENT)

Started by tests/e2e/cage_session.py as the application of a compositor (cage) or on a bare X server. There
are no input devices there, so each step acts from inside the application: taps sent to the centres of the
widgets a patient would touch, or the kiosk's own intent methods. After each step, once the window has been
painted, the driver prints one line on stdout and waits for one line on stdin before going on:

    READY <step> <json facts: platform, screen and window geometry, current screen, direction, regions>

The answer is "next" (or an empty line), or "grab PATH" to save the screen as Qt sees it (X11 only) and be
asked again. Anything else on stdout never starts with "READY ". The process ends after the last step.

A new step is a function registered with ``@step("name")``: it gets the kiosk and the text after the colon,
acts (``tap``, ``wait_until``), and returns the widgets a test may look at, by name; READY reports their
rectangles in window coordinates. Steps run in order on one kiosk, so a step may go on from where the one
before left it ("form:ar" then "keyboard:full_name"), or start a new visit itself (``start_screen_in``):

    @step("keyboard")
    def keyboard(kiosk: Kiosk, field: str) -> dict[str, QWidget]:
        target = getattr(kiosk.form, field)
        tap(target)
        wait_until(lambda: <the keyboard is shown>, "the on-screen keyboard")
        return {"field": target, "keyboard": <its widget>}

If the test goes away (stdin closes) while the driver waits, the driver ends, and cage with it.
"""

from __future__ import annotations

import argparse
import json
import select
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kiosk.app import Kiosk

Rect = list[int]  # x, y, width, height in window coordinates
# A step returns the widgets a test may look at, by name; their rectangles are reported once painted.
StepFunction = Callable[["Kiosk", str], dict[str, "QWidget"]]
STEPS: dict[str, StepFunction] = {}
STEP_SECONDS = 20.0  # a step that takes longer than this is broken, not slow
SETTLE_SECONDS = 0.3  # after the last paint: the compositor shows the frame at its next refresh


class StepFailed(RuntimeError):
    pass


def step(name: str) -> Callable[[StepFunction], StepFunction]:
    """Register a scenario step under ``name``."""

    def register(function: StepFunction) -> StepFunction:
        STEPS[name] = function
        return function

    return register


# --- helpers for steps -----------------------------------------------------------------------------------
def process_events(seconds: float) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


def wait_until(condition: Callable[[], object], what: str, seconds: float = STEP_SECONDS) -> None:
    """Run the event loop until ``condition()`` holds; a step that never gets there fails with ``what``."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise StepFailed(f"timed out waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.01)


def tap(widget: QWidget) -> None:
    """A finger's press and release at the widget's centre (what the touch filter sees from a touchscreen
    with mouse emulation)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    wait_until(widget.isVisible, f"{widget.objectName() or type(widget).__name__} to be visible")
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, widget.rect().center())


def rect_in_window(kiosk: Kiosk, widget: QWidget) -> Rect:
    from PySide6.QtCore import QPoint

    origin = widget.mapTo(kiosk.window, QPoint(0, 0))
    return [origin.x(), origin.y(), widget.width(), widget.height()]


def language_buttons(kiosk: Kiosk) -> dict[str, QWidget]:
    """The start screen's language buttons (built after the first frame)."""
    wait_until(lambda: kiosk.attract.language_buttons, "the start screen's language buttons")
    return {f"language:{button.code}": button for button in kiosk.attract.language_buttons}


def start_screen_in(kiosk: Kiosk, language: str) -> None:
    """Back to the start screen as after a visit (default language), then in ``language`` if one is named,
    as a kiosk whose default language it is would show it."""
    kiosk.reset_visit()
    if language:
        kiosk.translator.set_language(language)


def begin_visit_in(kiosk: Kiosk, language: str) -> None:
    """From the start screen, tap the language's button (default: the default language); wait for home."""
    from kiosk.session.navigator import Screen

    start_screen_in(kiosk, "")
    language = language or kiosk.translator.language
    language_buttons(kiosk)  # built after the first frame
    buttons = {button.code: button for button in kiosk.attract.language_buttons}
    if language not in buttons:
        raise StepFailed(f"no start screen button for language {language!r}; buttons: {', '.join(buttons)}")
    tap(buttons[language])
    wait_until(lambda: kiosk.navigator.screen is Screen.HOME, "the home screen")


# --- steps -----------------------------------------------------------------------------------------------
@step("start")
def start(kiosk: Kiosk, language: str) -> dict[str, QWidget]:
    """The start screen (attract), in the default language or the one named."""
    start_screen_in(kiosk, language)
    return {"attract": kiosk.attract, **language_buttons(kiosk)}


@step("form")
def form(kiosk: Kiosk, language: str) -> dict[str, QWidget]:
    """A new visit: on the start screen tap the language's button (default: the default language), then
    "Ask for a consultation"."""
    from kiosk.session.navigator import Screen

    begin_visit_in(kiosk, language)
    tap(kiosk.window.top_bar.consult_button)
    wait_until(lambda: kiosk.form is not None and kiosk.window.current_screen() == Screen.FORM.value, "the form")
    assert kiosk.form is not None
    return {"form": kiosk.form, "top_bar": kiosk.window.top_bar}


@step("reader")
def reader(kiosk: Kiosk, language: str) -> dict[str, QWidget]:
    """A new visit in ``language``: tap its start screen button, then the first topic's tile."""
    from kiosk.session.navigator import Screen

    begin_visit_in(kiosk, language)
    tap(kiosk.home.tiles[0])
    wait_until(lambda: kiosk.window.current_screen() == Screen.READER.value, "the reader")
    return {"reader": kiosk.reader, "related": kiosk.reader.related}


@step("keyboard")
def keyboard(kiosk: Kiosk, field: str) -> dict[str, QWidget]:
    """On the form: touch a field (``full_name``, ``phone``, ``email``...); the on-screen keyboard opens."""
    if kiosk.form is None:
        raise StepFailed("the keyboard step needs the form: run a form step first")
    target = getattr(kiosk.form, field or "full_name", None)
    if target is None:
        raise StepFailed(f"the form has no field {field!r}")
    tap(target)
    wait_until(lambda: kiosk.keyboard.visible and kiosk.keyboard.field is target, "the on-screen keyboard")
    viewport = kiosk.form.scroll.viewport()

    def in_sight() -> bool:
        top = target.mapTo(viewport, target.rect().topLeft()).y()
        return top >= 0 and top + target.height() <= viewport.height()

    wait_until(in_sight, "the field scrolled above the keyboard")
    return {"field": target, "keyboard": kiosk.keyboard.panel, "viewport": viewport}


@step("type")
def type_text(kiosk: Kiosk, text: str) -> dict[str, QWidget]:
    """Tap the on-screen keyboard's keys that type ``text`` into the field it is open for (no spaces: steps
    are separated by them); READY then reports the field's text as ``typed``."""
    from tests.gui.keyboard_typing import type_by_keys

    field = kiosk.keyboard.field
    if field is None:
        raise StepFailed("the type step needs an open keyboard: run a keyboard step first")
    type_by_keys(kiosk, text)
    return {"field": field, "keyboard": kiosk.keyboard.panel}


# --- the runner ------------------------------------------------------------------------------------------
class _PaintCounter:
    """Counts the window's paints, so a step is reported only once what it changed has been drawn."""

    def __init__(self, window: QWidget) -> None:
        from PySide6.QtCore import QEvent, QObject

        counter = self

        class Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    counter.paints += 1
                return False

        self.paints = 0
        self._filter = Filter(window)
        window.installEventFilter(self._filter)


def _facts(kiosk: Kiosk, widgets: dict[str, QWidget]) -> dict:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    window = kiosk.window
    screen = window.screen().geometry()
    geometry = window.geometry()
    rtl = QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    return {"platform": QGuiApplication.platformName(), "screen": [screen.width(), screen.height()],
            "window": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
            "current": window.current_screen(), "language": kiosk.translator.language,
            "direction": "rtl" if rtl else "ltr",
            "typed": _field_text(kiosk.keyboard.field) if kiosk.keyboard.field is not None else None,
            "regions": {name: rect_in_window(kiosk, widget) for name, widget in widgets.items()}}


def _field_text(field: QWidget) -> str:
    text = getattr(field, "text", None) or getattr(field, "toPlainText", None)
    return str(text()) if callable(text) else ""


def _read_command() -> str:
    """The next line from the test, running the event loop meanwhile (the window stays responsive)."""
    from PySide6.QtWidgets import QApplication

    while True:
        ready, _, _ = select.select([sys.stdin], [], [], 0.02)
        if ready:
            line = sys.stdin.readline()
            if not line:
                raise StepFailed("stdin closed before the test said to go on")
            return line.strip()
        QApplication.processEvents()


def _answer_until_next() -> None:
    from PySide6.QtGui import QGuiApplication

    while True:
        command = _read_command()
        if command in ("", "next"):
            return
        verb, _, argument = command.partition(" ")
        if verb == "grab" and argument:
            saved = QGuiApplication.primaryScreen().grabWindow(0).save(argument, "PNG")
            print(f"GRABBED {argument}" if saved else f"NOT-GRABBED {argument}", flush=True)
        else:
            print(f"UNKNOWN {command}", flush=True)


def _wait_for_screen_size(size: tuple[int, int]) -> None:
    """A compositor whose output is resized after start (cage on an X server) reports the new mode soon."""
    from PySide6.QtGui import QGuiApplication

    def current() -> tuple[int, int]:
        geometry = QGuiApplication.primaryScreen().geometry()
        return geometry.width(), geometry.height()

    wait_until(lambda: current() == size, f"a {size[0]}x{size[1]} screen (have {current()})")


def run(steps: list[str], size: tuple[int, int] | None) -> int:
    from kiosk import paths
    from kiosk.app import build_kiosk, ensure_application
    from kiosk.config import load_config
    from kiosk.logs import setup_logging

    unknown = [name for name in steps if name.partition(":")[0] not in STEPS]
    if unknown:
        print(f"unknown steps {unknown}; steps: {', '.join(sorted(STEPS))}", file=sys.stderr)
        return 2
    # What `kiosk run` does, in its order.
    config = load_config(paths.default_config_path())
    setup_logging(config)
    ensure_application()
    if size is not None:
        _wait_for_screen_size(size)
    kiosk = build_kiosk(config, None, kiosk_mode=True)
    paints = _PaintCounter(kiosk.window)
    kiosk.show()
    try:
        wait_until(lambda: paints.paints > 0, "the first frame")
        for name in steps:
            function, _, argument = name.partition(":")
            widgets = STEPS[function](kiosk, argument)
            before = paints.paints
            kiosk.window.update()
            wait_until(lambda before=before: paints.paints > before, f"a paint after step {name}")
            process_events(SETTLE_SECONDS)
            print(f"READY {name} {json.dumps(_facts(kiosk, widgets))}", flush=True)
            _answer_until_next()
    finally:
        kiosk.shutdown()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cage_driver")
    parser.add_argument("--size", help="wait for a screen of this size (WxH) before building the kiosk")
    parser.add_argument("steps", nargs="+", metavar="STEP")
    args = parser.parse_args(argv)
    size = tuple(int(part) for part in args.size.split("x")) if args.size else None
    try:
        return run(args.steps, size)  # type: ignore[arg-type]
    except StepFailed as error:
        print(f"cage_driver: {error}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
