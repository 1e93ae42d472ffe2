"""No label is cut off, in any language, orientation or text size.

Every screen is laid out at 1920x1080 and 1080x1920, at the three text sizes, in every shipped language and
in the pseudo-languages (every string 40 % longer; one right-to-left). Each visible button must be at least
as wide as its label needs, each single-line label as wide as its text, each wrapping label tall enough for
its wrapped text, and nothing may stick out of the window. The figures come from Qt's own size hints, the
same ones its layouts use, so a failure here is a label a patient would see cut.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QComboBox, QLabel, QWidget

from kiosk.app import offered_languages
from kiosk.config import load_config
from kiosk.i18n.languages import PSEUDO_LANGUAGES
from kiosk.screenshot import SAMPLE_REFERENCE
from kiosk.session.navigator import Screen
from kiosk.ui.widgets.tile import SectionTile

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
LANGUAGES = [*load_config(None, environ={})["languages.enabled"], *PSEUDO_LANGUAGES]
# A focused button's border is one pixel wider on each side; its size hint grows by two pixels while the
# layout keeps the size it gave the unfocused button. That is not a cut label.
SLACK_PX = 2
# The default and the largest size: the middle one cannot break what both of these fit.
TEXT_STEPS = (0, 2)
SCREENS = ["attract", "home", "reader", "languages", "form", "done"]


def _inside_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _problems(window: QWidget, where: str) -> list[str]:
    found: list[str] = []
    frame = window.rect()
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
    return found


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


@pytest.mark.parametrize("orientation", SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_label_fits(make_kiosk, language, orientation):
    kiosk = make_kiosk(size=SIZES[orientation], languages__pseudo=True)
    kiosk.finish_startup()
    kiosk.translator.set_language(language)
    kiosk.done.show_result(SAMPLE_REFERENCE, already_sent=False)
    problems: list[str] = []
    for step in TEXT_STEPS:
        kiosk.visit.set_text_step(step)
        for screen in SCREENS:
            if screen == "attract" and step:
                continue  # every visit starts at the default size, and the attract screen has no size button
            if screen == "reader":
                kiosk.navigator.open_section(kiosk.library.section_ids[0])
            elif screen == "attract":
                kiosk.navigator.attract()
            else:
                kiosk.navigator.go(Screen(screen))
            _settle()
            assert kiosk.window.current_screen() == screen
            problems += _problems(kiosk.window, f"[{language} {orientation} step {step} {screen}]")
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_clipped_label(make_kiosk):
    """The test above can fail: a label made too narrow for its text is reported."""
    kiosk = make_kiosk(size=SIZES["portrait"])
    kiosk.navigator.home()
    _settle()
    assert _problems(kiosk.window, "home") == []
    kiosk.window.top_bar.consult_button.setFixedWidth(60)
    _settle()
    assert any("ConsultButton" in problem for problem in _problems(kiosk.window, "home"))


def test_pseudo_languages_are_offered_only_when_asked_for(config):
    assert not set(PSEUDO_LANGUAGES) & set(offered_languages(config))
    assert offered_languages(config.with_overrides(languages__pseudo=True))[-2:] == list(PSEUDO_LANGUAGES)
