"""Recorded-like touch sequences on a real kiosk: each intended action happens exactly once.

Touches go through Qt's own touch path (QTest.touchEvent -> the window system interface -> QApplication),
which turns the first finger into the mouse events buttons receive, as on a kiosk's touch screen.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from kiosk.session.navigator import Screen

_device = None


def touch_device():
    global _device
    if _device is None:
        _device = QTest.createTouchDevice()
    return _device


class FakeClock:
    """Milliseconds the test advances by hand: a hold completes without the test sleeping."""

    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now


class Finger:
    """One contact (or several, by id) on the kiosk window, in the coordinates of a widget."""

    def __init__(self, kiosk) -> None:
        self.window = kiosk.window

    def _at(self, widget, point: QPoint) -> QPoint:
        return widget.mapTo(self.window, point)

    def press(self, widget, point: QPoint | None = None, finger: int = 0) -> None:
        point = widget.rect().center() if point is None else point
        QTest.touchEvent(self.window, touch_device()).press(finger, self._at(widget, point), self.window).commit()

    def move(self, widget, point: QPoint, finger: int = 0) -> None:
        QTest.touchEvent(self.window, touch_device()).move(finger, self._at(widget, point), self.window).commit()

    def release(self, widget, point: QPoint | None = None, finger: int = 0) -> None:
        point = widget.rect().center() if point is None else point
        QTest.touchEvent(self.window, touch_device()).release(finger, self._at(widget, point), self.window).commit()

    def tap(self, widget, point: QPoint | None = None) -> None:
        self.press(widget, point)
        self.release(widget, point)


@pytest.fixture
def reader(make_kiosk):
    kiosk = make_kiosk()
    kiosk.navigator.open_section("causes")  # 2 of 6: both Previous and Next work
    return kiosk


def steps(kiosk) -> int:
    return kiosk.navigator.position[0] - 2


def test_a_plain_touch_is_one_tap(reader):
    Finger(reader).tap(reader.reader.next_button)
    assert steps(reader) == 1


def test_sliding_off_the_button_within_the_tolerance_still_counts(reader):
    finger, button = Finger(reader), reader.reader.next_button
    edge = QPoint(button.width() - 5, button.height() // 2)
    finger.press(button, edge)
    finger.move(button, edge + QPoint(20, 10))
    finger.move(button, edge + QPoint(35, 25))  # now outside the button: Qt alone would not count this
    finger.release(button, edge + QPoint(35, 25))
    assert steps(reader) == 1


def test_sliding_far_away_cancels(reader):
    finger, button = Finger(reader), reader.reader.next_button
    finger.press(button)
    finger.move(button, button.rect().center() + QPoint(0, -button.height()))
    finger.release(button, button.rect().center() + QPoint(0, -button.height()))
    assert steps(reader) == 0
    assert not button.isDown()


def test_a_bounce_counts_once_and_does_not_press_the_next_button_in_its_place(reader):
    finger, button = Finger(reader), reader.reader.next_button
    finger.tap(button)
    assert steps(reader) == 1 and reader.reader.next_button.isEnabled()
    finger.tap(button)  # the hand bounces: the same place now holds the next page's Next
    finger.tap(button)
    assert steps(reader) == 1


def test_a_bounce_after_a_touch_that_was_not_on_a_button_is_ignored_too(make_kiosk):
    kiosk = make_kiosk()
    finger = Finger(kiosk)
    finger.tap(kiosk.attract)
    assert kiosk.navigator.screen is Screen.HOME
    tile = kiosk.home.tiles[0]
    finger.tap(tile)  # the tile that appeared under the bouncing hand
    assert kiosk.navigator.screen is Screen.HOME


def test_taps_further_apart_than_the_interval_both_count(reader):
    # Qt's test mouse events are stamped half a second apart, more than the 400 ms interval.
    button = reader.reader.next_button
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, button.rect().center())
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, button.rect().center())
    assert steps(reader) == 2


def test_a_second_finger_does_not_tap_anything(reader):
    window = reader.window
    next_button, home = reader.reader.next_button, window.top_bar.home_button
    first = next_button.mapTo(window, next_button.rect().center())
    second = home.mapTo(window, home.rect().center())
    QTest.touchEvent(window, touch_device()).press(0, first, window).commit()
    # A second finger lands on Home while the first rests on Next, then both lift, the first one first.
    QTest.touchEvent(window, touch_device()).move(0, first, window).press(1, second, window).commit()
    QTest.touchEvent(window, touch_device()).release(0, first, window).move(1, second, window).commit()
    QTest.touchEvent(window, touch_device()).release(1, second, window).commit()
    assert steps(reader) == 1
    assert reader.navigator.screen is Screen.READER
    # And the other way round: the second finger lifts first.
    reader.touch_filter.policy.settings = type(reader.touch_filter.settings)(repeat_ignore_ms=0)
    QTest.touchEvent(window, touch_device()).press(0, first, window).commit()
    QTest.touchEvent(window, touch_device()).move(0, first, window).press(1, second, window).commit()
    QTest.touchEvent(window, touch_device()).move(0, first, window).release(1, second, window).commit()
    QTest.touchEvent(window, touch_device()).release(0, first, window).commit()
    assert steps(reader) == 2
    assert reader.navigator.screen is Screen.READER


def test_mouse_clicks_follow_the_same_rules(reader, qtbot):
    button = reader.reader.next_button
    center = button.rect().center()
    QTest.mousePress(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center)
    QTest.mouseMove(button, center + QPoint(button.width() // 2 + 20, 0))
    QTest.mouseRelease(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       center + QPoint(button.width() // 2 + 20, 0))
    assert steps(reader) == 1


def test_a_hold_shorter_than_required_does_nothing(make_kiosk, qtbot):
    kiosk = make_kiosk(touch__hold_ms=800)
    kiosk.navigator.open_section("causes")
    clock = FakeClock()
    kiosk.touch_filter.clock = clock
    finger, button = Finger(kiosk), kiosk.reader.next_button
    finger.press(button)
    clock.now = 400
    qtbot.waitUntil(lambda: kiosk.touch_filter.hold_progress() >= 0.5)
    fill = button.findChild(type(kiosk.touch_filter._fill))
    assert fill is not None and fill.isVisible()
    assert fill.grab().toImage().pixelColor(5, button.height() // 2).alpha() > 0  # the fill is painted
    finger.release(button)
    assert steps(kiosk) == 0
    assert not fill.isVisible()


def test_a_hold_counts_once_when_it_completes(make_kiosk, qtbot):
    kiosk = make_kiosk(touch__hold_ms=800)
    kiosk.navigator.open_section("causes")
    clock = FakeClock()
    kiosk.touch_filter.clock = clock
    finger, button = Finger(kiosk), kiosk.reader.next_button
    finger.press(button)
    assert steps(kiosk) == 0
    clock.now = 820
    qtbot.waitUntil(lambda: steps(kiosk) == 1)
    clock.now = 3000
    finger.release(button)
    assert steps(kiosk) == 1


def test_keyboard_activation_needs_no_hold(make_kiosk, qtbot):
    kiosk = make_kiosk(touch__hold_ms=800)
    kiosk.navigator.open_section("causes")
    kiosk.reader.next_button.setFocus()
    QTest.keyClick(kiosk.reader.next_button, Qt.Key.Key_Space)
    assert steps(kiosk) == 1


# Qt's gesture manager also sees the touch points the window passed on as mouse events, and says so.
@pytest.mark.qt_log_ignore("QGestureManager::deliverEvents: could not find the target for gesture")
def test_a_swipe_in_the_reader_scrolls_and_taps_nothing(reader, qtbot):
    browser = reader.reader.browser
    bar = browser.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    viewport = browser.viewport()
    finger = Finger(reader)
    start = QPoint(viewport.width() // 2, viewport.height() - 40)
    finger.press(viewport, start)
    for step in range(1, 13):
        qtbot.wait(10)  # a finger takes time to travel; the scroller measures its speed
        finger.move(viewport, start - QPoint(0, 30 * step))
    finger.release(viewport, start - QPoint(0, 360))
    qtbot.waitUntil(lambda: bar.value() > 100)
    assert reader.navigator.screen is Screen.READER and steps(reader) == 0


def test_a_shaky_tap_on_the_text_does_not_scroll_it(reader, qtbot):
    browser = reader.reader.browser
    viewport = browser.viewport()
    finger = Finger(reader)
    point = QPoint(viewport.width() // 2, viewport.height() // 2)
    finger.press(viewport, point)
    finger.move(viewport, point + QPoint(3, 4))
    finger.release(viewport, point + QPoint(3, 4))
    qtbot.wait(50)
    assert browser.verticalScrollBar().value() == 0


def test_a_scroll_that_starts_on_a_choice_in_the_form_chooses_nothing(make_kiosk, qtbot):
    kiosk = make_kiosk(size=(1080, 1920))
    kiosk.navigator.go(Screen.FORM)
    form = kiosk.form
    assert form.scroll.verticalScrollBar().maximum() > 0
    button = form.channel.buttons["phone"]
    finger = Finger(kiosk)
    finger.press(button)
    finger.move(button, button.rect().center() + QPoint(0, -30))
    finger.move(button, button.rect().center() + QPoint(0, -60))
    finger.release(button, button.rect().center() + QPoint(0, -60))
    assert not button.isChecked()
