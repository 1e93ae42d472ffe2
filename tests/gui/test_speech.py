"""Read aloud with Qt's mock engine: which languages offer it, highlighting, pause and stop."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.session.navigator import Screen


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())


@pytest.fixture
def kiosk(qtbot, make_kiosk):
    kiosk = make_kiosk(speech__engine="mock", touch__repeat_ignore_ms=0)
    kiosk.navigator.open_section("what-is-dystonia")
    qtbot.waitUntil(lambda: kiosk.voice.ready, timeout=15000)  # the engine's process lists its voices
    return kiosk


def test_read_aloud_is_offered_exactly_where_the_engine_has_a_voice(kiosk):
    offered = {}
    for code in kiosk.translator.enabled:
        kiosk.translator.set_language(code)
        language = kiosk.library.page("what-is-dystonia", code).language
        offered[code] = kiosk.reader.read_aloud.isVisible()
        assert offered[code] == kiosk.voice.available(language), code
    assert offered["en"]  # the mock engine speaks English (en_GB, en_US)


def test_no_speech_when_switched_off(make_kiosk):
    kiosk = make_kiosk(speech__engine="mock", speech__enabled=False)
    kiosk.navigator.open_section("what-is-dystonia")
    assert not kiosk.reader.read_aloud.isVisible()


def test_reading_highlights_each_sentence_without_changing_the_page(qtbot, kiosk):
    text = kiosk.reader.plain_text()
    html = kiosk.reader.browser.toHtml()
    controls = kiosk.reader.read_aloud
    click(qtbot, controls.read_button)
    assert controls.state == "speaking"
    assert controls.pause_button.isVisible() and controls.stop_button.isVisible()
    assert not controls.read_button.isVisible()
    qtbot.waitUntil(lambda: kiosk.reader.highlighted_range() is not None)
    start, end = kiosk.reader.highlighted_range()
    assert text[start:end] == "What is dystonia?" or text[start:end].startswith("Dystonia")
    qtbot.waitUntil(lambda: kiosk.reader.highlighted_range()[0] > end, timeout=10000)
    start, end = kiosk.reader.highlighted_range()
    assert text[start:end].strip() and text[start - 1] in " \n"  # a whole sentence, from its start
    assert kiosk.reader.plain_text() == text and kiosk.reader.browser.toHtml() == html


def test_pause_resume_and_stop(qtbot, kiosk):
    controls = kiosk.reader.read_aloud
    click(qtbot, controls.read_button)
    click(qtbot, controls.pause_button)
    assert kiosk.voice.state == "paused" and controls.state == "paused"
    assert controls.pause_button.accessibleName() == "Resume reading"
    click(qtbot, controls.pause_button)
    assert kiosk.voice.state == "speaking"
    click(qtbot, controls.stop_button)
    assert kiosk.voice.state == "idle" and controls.read_button.isVisible()
    assert kiosk.reader.highlighted_range() is None


@pytest.mark.parametrize("how", ["next topic", "home", "language", "idle reset"])
def test_reading_stops_when_the_visitor_moves_on(qtbot, kiosk, how):
    click(qtbot, kiosk.reader.read_aloud.read_button)
    assert kiosk.voice.state == "speaking"
    if how == "next topic":
        click(qtbot, kiosk.reader.next_button)
    elif how == "home":
        click(qtbot, kiosk.window.top_bar.home_button)
    elif how == "language":
        kiosk.translator.set_language("de")
    else:
        kiosk.idle.expired.emit()
    assert kiosk.voice.state == "idle"
    assert kiosk.reader.read_aloud.state == "idle"


def test_the_privacy_notice_can_be_read_aloud(qtbot, kiosk):
    kiosk.navigator.go(Screen.FORM)
    controls = kiosk.form.privacy_voice
    assert controls.isVisible() == kiosk.voice.available("en")
    if controls.isVisible():
        click(qtbot, controls.read_button)
        assert kiosk.voice.state == "speaking" and controls.state == "speaking"
        assert kiosk.reader.read_aloud.state == "idle"
        click(qtbot, controls.stop_button)
        assert kiosk.voice.state == "idle"
