"""No screen grows past the display and no label is cut off, in any language, orientation or text size.

Every screen is laid out on real kiosk displays from 1024x768 to 3840x2160, landscape and portrait (5:4 and
800x1280 too). The window must keep exactly the size it was given (a screen whose content does not fit
scrolls inside it, it never grows the window), each visible button must be at least as wide as its label
needs, each single-line label as wide as its text, each wrapping label tall enough for its wrapped text,
nothing may stick out of the window and no scrolling area may need to scroll sideways. The figures come from
Qt's own size hints, the same ones its layouts use, so a failure here is a label a patient would see cut.

Sampling, to stay quick: every size in the languages that stretch layouts most (English as the reference,
Arabic right-to-left, the two pseudo-languages 40 % longer) at the largest text size, and every language at
the default size on the three most common shapes; the middle text size cannot break what both ends fit.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QComboBox, QLabel, QWidget

from kiosk.admin.pin import hash_pin
from kiosk.app import offered_languages
from kiosk.config import load_config
from kiosk.i18n.languages import PSEUDO_LANGUAGES
from kiosk.screenshot import SAMPLE_REFERENCE
from kiosk.session.navigator import Screen
from kiosk.ui.widgets.tile import SectionTile

SIZES = {
    "1024x768": (1024, 768), "1280x720": (1280, 720), "1366x768": (1366, 768), "1280x1024": (1280, 1024),
    "1920x1080": (1920, 1080), "3840x2160": (3840, 2160), "800x1280": (800, 1280), "1080x1920": (1080, 1920),
}
LANGUAGES = [*load_config(None, environ={})["languages.enabled"], *PSEUDO_LANGUAGES]
STRETCHING_LANGUAGES = ["en", "ar", *PSEUDO_LANGUAGES]
COMMON_SIZES = ["1024x768", "1920x1080", "800x1280"]
# A focused button's border is one pixel wider on each side; its size hint grows by two pixels while the
# layout keeps the size it gave the unfocused button. That is not a cut label.
SLACK_PX = 2
# The default and the largest size: the middle one cannot break what both of these fit.
TEXT_STEPS = (0, 2)
SCREENS = ["attract", "home", "reader", "languages", "form", "done", "admin"]


def _inside_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _problems(window: QWidget, where: str, size: tuple[int, int] | None = None) -> list[str]:
    found: list[str] = []
    frame = window.rect()
    if size is not None and (window.width(), window.height()) != size:
        found.append(f"{where} the window grew past the screen: {window.width()}x{window.height()} on a "
                     f"{size[0]}x{size[1]} screen")
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.width() == 0:
            continue
        name = f"{where} {type(widget).__name__}#{widget.objectName() or '?'}"
        if not _inside_scroll_area(widget):
            box = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
            if not frame.contains(box):
                found.append(f"{name} sticks out of the window: {box} vs {frame}")
        if isinstance(widget, QAbstractButton) and not isinstance(widget, SectionTile) and widget.text():
            if widget.sizeHint().width() > widget.width() + SLACK_PX:
                found.append(f"{name} {widget.text()!r} needs {widget.sizeHint().width()} px, has {widget.width()}")
        elif isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap():
                if widget.minimumSizeHint().width() > widget.width() + SLACK_PX:
                    found.append(f"{name} {widget.text()[:40]!r}: a word is wider than the label")
                elif widget.heightForWidth(widget.width()) > widget.height() + SLACK_PX:
                    found.append(f"{name} {widget.text()[:40]!r} needs {widget.heightForWidth(widget.width())} px "
                                 f"of height, has {widget.height()}")
            elif widget.sizeHint().width() > widget.width() + SLACK_PX:
                found.append(f"{name} {widget.text()!r} needs {widget.sizeHint().width()} px, has {widget.width()}")
        elif isinstance(widget, QAbstractScrollArea) and not isinstance(widget, QComboBox):
            content = getattr(widget, "widget", lambda: None)()
            if content is not None and content.minimumSizeHint().width() > widget.viewport().width() + SLACK_PX:
                found.append(f"{name} content needs {content.minimumSizeHint().width()} px, the view has "
                             f"{widget.viewport().width()}: it would scroll sideways")
            if widget.horizontalScrollBar().maximum() > 0:
                found.append(f"{name} scrolls sideways by {widget.horizontalScrollBar().maximum()} px")
    return found


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _show(kiosk, screen: str) -> None:
    if screen == "reader":
        kiosk.navigator.open_section(kiosk.library.section_ids[0])
    elif screen == "attract":
        kiosk.navigator.attract()
    elif screen == "admin":
        kiosk.admin.open()
    else:
        kiosk.navigator.go(Screen(screen))


def _check_screens(kiosk, language: str, sizes: list[str], steps: tuple[int, ...]) -> list[str]:
    kiosk.translator.set_language(language)
    problems: list[str] = []
    for step in steps:
        kiosk.visit.set_text_step(step)
        for size_name in sizes:
            size = SIZES[size_name]
            for screen in SCREENS:
                if screen == "attract" and step:
                    continue  # every visit starts at the default size, and the attract screen has no size button
                _show(kiosk, screen)
                kiosk.window.resize(*size)
                _settle()
                assert kiosk.window.current_screen() == screen
                problems += _problems(kiosk.window, f"[{language} {size_name} step {step} {screen}]", size)
    return problems


@pytest.fixture
def laid_out_kiosk(make_kiosk, keys):
    kiosk = make_kiosk(size=SIZES["1920x1080"], languages__pseudo=True, admin__pin_hash=hash_pin("2468", n=2**8),
                       delivery__hospital_public_key=keys[1])
    kiosk.finish_startup()
    kiosk.done.show_result(SAMPLE_REFERENCE, already_sent=False)
    return kiosk


@pytest.mark.parametrize("language", STRETCHING_LANGUAGES)
def test_every_screen_fits_every_display_at_the_largest_text(laid_out_kiosk, language):
    problems = _check_screens(laid_out_kiosk, language, list(SIZES), (0, 2))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code not in STRETCHING_LANGUAGES])
def test_every_language_fits_the_common_displays(laid_out_kiosk, language):
    problems = _check_screens(laid_out_kiosk, language, COMMON_SIZES, (0, 2))
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_window_that_grew(laid_out_kiosk):
    """The size check can fail: a part of the window that cannot shrink grows it, and that is reported. (The
    screens themselves cannot: the stack of screens takes only the room that is left.)"""
    kiosk = laid_out_kiosk
    kiosk.navigator.home()
    kiosk.window.resize(*SIZES["1024x768"])
    _settle()
    assert _problems(kiosk.window, "home", SIZES["1024x768"]) == []
    kiosk.window.setMinimumHeight(900)  # as a bar or strip that could not shrink would make it
    kiosk.window.resize(*SIZES["1024x768"])
    _settle()
    assert any("grew past the screen" in problem for problem in _problems(kiosk.window, "home", SIZES["1024x768"]))


def test_the_check_finds_a_clipped_label(make_kiosk):
    """The test above can fail: a label made too narrow for its text is reported."""
    kiosk = make_kiosk(size=SIZES["1080x1920"])
    kiosk.navigator.home()
    _settle()
    assert _problems(kiosk.window, "home") == []
    kiosk.window.top_bar.consult_button.setFixedWidth(60)
    _settle()
    assert any("ConsultButton" in problem for problem in _problems(kiosk.window, "home"))


def test_pseudo_languages_are_offered_only_when_asked_for(config):
    assert not set(PSEUDO_LANGUAGES) & set(offered_languages(config))
    assert offered_languages(config.with_overrides(languages__pseudo=True))[-2:] == list(PSEUDO_LANGUAGES)
