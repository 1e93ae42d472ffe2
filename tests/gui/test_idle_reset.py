"""After inactivity: a countdown any touch cancels, then back to the start with the visit forgotten."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt


def _fast(kiosk) -> None:
    kiosk.idle.idle_seconds = 0.3
    kiosk.idle.countdown_seconds = 2
    kiosk.idle.poke()


def test_idle_countdown_then_reset_to_attract(qtbot, make_kiosk):
    kiosk = make_kiosk()
    kiosk.navigator.open_section("surgery")
    kiosk.visit.set_text_step(2)
    kiosk.reader.browser.verticalScrollBar().setValue(200)
    _fast(kiosk)
    qtbot.waitUntil(lambda: kiosk.window.idle_overlay.isVisible(), timeout=3000)
    assert "still there" in kiosk.window.idle_overlay.title.text()
    qtbot.waitUntil(lambda: kiosk.window.current_screen() == "attract", timeout=5000)
    assert not kiosk.window.idle_overlay.isVisible()
    assert kiosk.visit.text_step == 0
    assert kiosk.translator.language == "en"
    assert kiosk.navigator.section == kiosk.library.section_ids[0]


def test_a_touch_during_the_countdown_keeps_the_visit(qtbot, make_kiosk):
    kiosk = make_kiosk()
    kiosk.navigator.open_section("diagnosis")
    _fast(kiosk)
    qtbot.waitUntil(lambda: kiosk.window.idle_overlay.isVisible(), timeout=3000)
    qtbot.mouseClick(kiosk.window.idle_overlay, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    assert not kiosk.window.idle_overlay.isVisible()
    assert kiosk.window.current_screen() == "reader"
    kiosk.idle.idle_seconds = 60  # no second countdown during the rest of the test
    kiosk.idle.poke()
    qtbot.wait(2500)
    assert kiosk.window.current_screen() == "reader" and kiosk.navigator.section == "diagnosis"


def test_no_countdown_on_the_attract_screen(qtbot, make_kiosk):
    kiosk = make_kiosk()
    _fast(kiosk)
    qtbot.wait(800)
    assert not kiosk.window.idle_overlay.isVisible()


def test_idle_time_comes_from_the_configuration(make_kiosk):
    kiosk = make_kiosk(session__idle_timeout_seconds=45, session__idle_countdown_seconds=10)
    assert kiosk.idle.idle_seconds == 45 and kiosk.idle.countdown_seconds == 10
