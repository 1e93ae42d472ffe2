"""Every scrolling area scrolls by dragging, with a finger (Qt's touch path) and with a mouse (many kiosk
touch screens report themselves as one); a drag that starts on a button scrolls and never clicks it, while
a tap still does.

The drags travel 300 px in steps, as a finger does; the scroller measures the speed from the time between
the steps, hence the short waits between them.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScroller

from kiosk.session.navigator import Screen
from tests.gui.test_touch import touch_device

DRAG_PX = 300
STEPS = 10

# Qt's gesture manager also sees the touch points the window passed on as mouse events, and says so.
pytestmark = pytest.mark.qt_log_ignore("QGestureManager::deliverEvents: could not find the target for gesture")


class Touch:
    """A finger on the kiosk window, in a widget's coordinates."""

    def __init__(self, window) -> None:
        self.window = window

    def press(self, widget, point: QPoint) -> None:
        QTest.touchEvent(self.window, touch_device()).press(0, widget.mapTo(self.window, point), self.window).commit()

    def move(self, widget, point: QPoint) -> None:
        QTest.touchEvent(self.window, touch_device()).move(0, widget.mapTo(self.window, point), self.window).commit()

    def release(self, widget, point: QPoint) -> None:
        QTest.touchEvent(self.window, touch_device()).release(0, widget.mapTo(self.window, point),
                                                             self.window).commit()


class Mouse:
    """The left button, as a touch screen that reports itself as a mouse sends it: through the window, as the
    window system delivers it (Qt finds the widget under the point)."""

    def __init__(self, window) -> None:
        self.window = window

    def _at(self, widget, point: QPoint) -> QPoint:
        return widget.mapTo(self.window, point)

    def press(self, widget, point: QPoint) -> None:
        QTest.mousePress(self.window.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         self._at(widget, point))

    def move(self, widget, point: QPoint) -> None:
        QTest.mouseMove(self.window.windowHandle(), self._at(widget, point))

    def release(self, widget, point: QPoint) -> None:
        QTest.mouseRelease(self.window.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           self._at(widget, point))


INPUTS = {"touch": Touch, "mouse": Mouse}


def drag_up(qtbot, pointer, widget, start: QPoint | None = None, distance: int = DRAG_PX) -> None:
    """Slide from ``start`` (the widget's centre) ``distance`` px towards the top: the content follows up."""
    start = widget.rect().center() if start is None else start
    pointer.press(widget, start)
    for step in range(1, STEPS + 1):
        qtbot.wait(10)  # a finger takes time to travel
        pointer.move(widget, start - QPoint(0, distance * step // STEPS))
    pointer.release(widget, start - QPoint(0, distance))


def in_view(widget, area) -> bool:
    viewport = area.viewport()
    box = widget.rect().translated(widget.mapTo(viewport, QPoint(0, 0)))
    return viewport.rect().contains(box)


def tap(pointer, widget) -> None:
    pointer.press(widget, widget.rect().center())
    pointer.release(widget, widget.rect().center())


def settle_tap_interval(kiosk) -> None:
    """Taps in a test follow each other faster than a hand: the bounce rule must not swallow them."""
    kiosk.touch_filter.policy.settings = type(kiosk.touch_filter.settings)(
        slide_tolerance_px=kiosk.touch_filter.settings.slide_tolerance_px, repeat_ignore_ms=0)


@pytest.fixture
def form_kiosk(make_kiosk):
    kiosk = make_kiosk(size=(1024, 768))
    kiosk.navigator.go(Screen.FORM)
    bar = kiosk.form.scroll.verticalScrollBar()
    assert bar.maximum() > DRAG_PX and bar.value() == 0
    return kiosk


@pytest.fixture
def language_kiosk(make_kiosk):
    # A short window (the largest text, the pseudo-languages too): the list of ten names has to scroll.
    kiosk = make_kiosk(size=(1024, 560), languages__pseudo=True)
    kiosk.finish_startup()
    kiosk.visit.set_text_step(2)
    kiosk.navigator.go(Screen.LANGUAGES)
    qtbot_settle()
    assert kiosk.languages.page.verticalScrollBar().maximum() > 100
    return kiosk


def wait_still(qtbot, area) -> None:
    qtbot.waitUntil(lambda: QScroller.scroller(area.viewport()).state() == QScroller.State.Inactive)


def qtbot_settle() -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()


@pytest.mark.parametrize("device", INPUTS)
def test_dragging_the_form_scrolls_it(form_kiosk, qtbot, device):
    form = form_kiosk.form
    bar = form.scroll.verticalScrollBar()
    # Starting on the form's background, between the fields.
    drag_up(qtbot, INPUTS[device](form_kiosk.window), form.intro)
    qtbot.waitUntil(lambda: bar.value() >= DRAG_PX // 2)
    assert form_kiosk.navigator.screen is Screen.FORM


@pytest.mark.parametrize("device", INPUTS)
def test_a_drag_that_starts_on_a_choice_scrolls_and_chooses_nothing(form_kiosk, qtbot, device):
    form = form_kiosk.form
    bar = form.scroll.verticalScrollBar()
    button = form.channel.buttons["phone"]
    form.scroll.ensureWidgetVisible(button)
    before = bar.value()
    assert before < bar.maximum() - DRAG_PX // 2
    drag_up(qtbot, INPUTS[device](form_kiosk.window), button)
    qtbot.waitUntil(lambda: bar.value() >= before + DRAG_PX // 2)
    assert not button.isChecked() and not button.isDown()


@pytest.mark.parametrize("device", INPUTS)
def test_a_tap_on_a_choice_in_a_scrolling_form_still_chooses_it(form_kiosk, qtbot, device):
    form = form_kiosk.form
    button = form.channel.buttons["whatsapp"]
    form.scroll.ensureWidgetVisible(button)
    tap(INPUTS[device](form_kiosk.window), button)
    assert button.isChecked()


@pytest.mark.parametrize("device", INPUTS)
def test_a_drag_that_starts_on_a_text_field_scrolls_without_focusing_it(form_kiosk, qtbot, device):
    form = form_kiosk.form
    bar = form.scroll.verticalScrollBar()
    drag_up(qtbot, INPUTS[device](form_kiosk.window), form.full_name)
    qtbot.waitUntil(lambda: bar.value() >= DRAG_PX // 2)
    assert not form.full_name.hasFocus()
    # A tap on a field still puts the cursor there (the held-back press is given to it).
    settle_tap_interval(form_kiosk)
    wait_still(qtbot, form.scroll)  # a tap on a moving list only stops it
    form.scroll.ensureWidgetVisible(form.phone)
    qtbot_settle()
    tap(INPUTS[device](form_kiosk.window), form.phone)
    assert form.phone.hasFocus()


@pytest.mark.parametrize("device", INPUTS)
def test_dragging_the_reader_text_scrolls_it(make_kiosk, qtbot, device):
    kiosk = make_kiosk(size=(1280, 720))
    kiosk.navigator.open_section("what-is-dystonia")
    bar = kiosk.reader.browser.verticalScrollBar()
    assert bar.maximum() > DRAG_PX and bar.value() == 0
    viewport = kiosk.reader.browser.viewport()
    start = QPoint(viewport.width() // 2, viewport.height() - 10)
    drag_up(qtbot, INPUTS[device](kiosk.window), viewport, start, distance=min(DRAG_PX, viewport.height() - 20))
    qtbot.waitUntil(lambda: bar.value() >= 100)
    assert kiosk.navigator.screen is Screen.READER


@pytest.mark.parametrize("device", INPUTS)
def test_dragging_the_language_list_scrolls_it_and_picks_no_language(language_kiosk, qtbot, device):
    kiosk = language_kiosk
    bar = kiosk.languages.page.verticalScrollBar()
    button = [b for b in kiosk.languages.buttons if in_view(b, kiosk.languages.page)][-1]
    before = bar.value()
    drag_up(qtbot, INPUTS[device](kiosk.window), button, distance=min(DRAG_PX, bar.maximum()))
    qtbot.waitUntil(lambda: bar.value() > before + 50)
    assert kiosk.translator.language == "en" and kiosk.navigator.screen is Screen.LANGUAGES


@pytest.mark.parametrize("device", INPUTS)
def test_a_tap_in_the_scrolling_language_list_picks_the_language(language_kiosk, qtbot, device):
    kiosk = language_kiosk
    button = next(b for b in kiosk.languages.buttons if b.code == "uk")
    kiosk.languages.page.ensureWidgetVisible(button)
    qtbot_settle()
    tap(INPUTS[device](kiosk.window), button)
    assert kiosk.translator.language == "uk"


def test_a_flick_carries_on_after_the_finger_lifts(form_kiosk, qtbot):
    form = form_kiosk.form
    bar = form.scroll.verticalScrollBar()
    touch = Touch(form_kiosk.window)
    start = form.intro.rect().center()
    touch.press(form.intro, start)
    for step in range(1, 6):
        qtbot.wait(8)
        touch.move(form.intro, start - QPoint(0, 30 * step))
    touch.release(form.intro, start - QPoint(0, 150))
    # The content keeps moving after the release: it ends farther than the 150 px the finger travelled.
    qtbot.waitUntil(lambda: bar.value() > 150 + 40)


def test_a_small_slide_inside_the_tolerance_neither_scrolls_nor_loses_the_tap(form_kiosk, qtbot):
    form = form_kiosk.form
    bar = form.scroll.verticalScrollBar()
    button = form.channel.buttons["email"]
    form.scroll.ensureWidgetVisible(button)
    qtbot_settle()
    before = bar.value()
    mouse = Mouse(form_kiosk.window)
    centre = button.rect().center()
    mouse.press(button, centre)
    mouse.move(button, centre + QPoint(0, -20))
    mouse.release(button, centre + QPoint(0, -20))
    assert button.isChecked()
    assert bar.value() == before


def test_a_tap_on_a_moving_list_stops_it_and_clicks_nothing(form_kiosk, qtbot):
    form = form_kiosk.form
    touch = Touch(form_kiosk.window)
    # The choices low in the view, so they are still in view when the flick has carried them up.
    choices = [*form.channel.buttons.values(), *form.relation.buttons.values()]
    first = choices[0]
    row_top = first.mapTo(form.scroll.widget(), QPoint(0, 0)).y()
    form.scroll.verticalScrollBar().setValue(row_top - form.scroll.viewport().height() + first.height() + 20)
    qtbot_settle()
    start = first.rect().center()
    touch.press(first, start)
    for step in range(1, 6):
        qtbot.wait(8)
        touch.move(first, start - QPoint(0, 30 * step))
    touch.release(first, start - QPoint(0, 150))
    scroller = QScroller.scroller(form.scroll.viewport())
    assert scroller.state() == QScroller.State.Scrolling
    settle_tap_interval(form_kiosk)
    button = next(choice for choice in choices if in_view(choice, form.scroll))
    tap(touch, button)
    assert not button.isChecked()
    assert scroller.state() != QScroller.State.Scrolling


def test_home_tiles_scroll_when_they_do_not_fit(make_kiosk, qtbot):
    kiosk = make_kiosk(size=(1024, 768))
    kiosk.translator.set_language("ru")
    kiosk.visit.set_text_step(2)
    kiosk.navigator.home()
    qtbot_settle()
    bar = kiosk.home.page.verticalScrollBar()
    assert bar.maximum() > 0
    tile = kiosk.home.tiles[0]
    drag_up(qtbot, Touch(kiosk.window), tile, distance=min(DRAG_PX, bar.maximum()))
    qtbot.waitUntil(lambda: bar.value() > 0)
    assert kiosk.navigator.screen is Screen.HOME  # the tile the drag started on did not open
