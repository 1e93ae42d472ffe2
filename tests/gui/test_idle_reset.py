"""After inactivity: a countdown any touch cancels, then back to the start with the visit forgotten."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.session.navigator import Screen


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
    kiosk = make_kiosk(session__idle_timeout_seconds=45, session__idle_countdown_seconds=25)
    assert kiosk.idle.idle_seconds == 45 and kiosk.idle.countdown_seconds == 25


def test_the_countdown_is_at_least_twenty_seconds(config):
    from kiosk.config import ConfigError

    assert config["session.idle_countdown_seconds"] >= 20
    with pytest.raises(ConfigError):
        config.with_overrides(session__idle_countdown_seconds=15)


def test_the_countdown_is_an_alert_that_takes_the_focus_and_sets_the_screen_aside(qtbot, make_kiosk):
    kiosk = make_kiosk()
    with qtbot.waitActive(kiosk.window):
        kiosk.window.activateWindow()
    kiosk.navigator.open_section("diagnosis")
    kiosk.reader.next_button.setFocus()
    _fast(kiosk)
    overlay = kiosk.window.idle_overlay
    qtbot.waitUntil(overlay.isVisible, timeout=3000)
    assert QAccessible.queryAccessibleInterface(overlay.card).role() == QAccessible.Role.AlertMessage
    assert QApplication.focusWidget() is overlay.stay_button
    assert not kiosk.window.top_bar.isEnabled() and not kiosk.window.stack.isEnabled()
    QTest.keyClick(overlay.stay_button, Qt.Key.Key_Return)  # any key is "still here", as a touch is
    assert not overlay.isVisible() and kiosk.window.top_bar.isEnabled() and kiosk.window.stack.isEnabled()
    assert QApplication.focusWidget() is kiosk.reader.next_button  # back where the visitor was


def test_the_confirmation_takes_the_focus_and_ends_in_the_countdown_not_at_once(qtbot, make_kiosk):
    kiosk = make_kiosk()
    with qtbot.waitActive(kiosk.window):
        kiosk.window.activateWindow()
    kiosk.navigator.home()
    kiosk.done.show_result("K7MP-Q2XW", already_sent=False)
    kiosk.navigator.go(Screen.DONE)
    kiosk.done.take_focus()
    assert QApplication.focusWidget() is kiosk.done.heading
    assert "K7MP-Q2XW" in kiosk.done.heading.accessibleName()
    assert "\u2066" not in kiosk.done.reference.accessibleName()
    kiosk.idle.countdown_seconds = 2
    kiosk._done_timer.start(200)
    qtbot.waitUntil(kiosk.window.idle_overlay.isVisible, timeout=3000)
    assert kiosk.window.current_screen() == "done"  # warned first
    kiosk.window.idle_overlay.stay_button.click()
    assert kiosk.window.current_screen() == "done" and not kiosk.window.idle_overlay.isVisible()
