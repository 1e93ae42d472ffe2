"""Applies the tremor-tolerant touch policy to every button in the application.

Installed on the QApplication, it takes over the left-button mouse events that reach a QAbstractButton
(touches arrive as such events: Qt synthesises them from the first finger of a touch for widgets that do
not take touch events, which no button does). The policy decides; an accepted tap becomes the button's own
``click()``, so every signal, toggle and button group behaves as with Qt's rule. Times are the events' own
time stamps (when the finger touched, not when Qt got round to it); a resting finger's hold is timed from
its press with ``clock``, which tests replace.

A widget with the dynamic property ``kioskTouchExempt`` set to true (an on-screen keyboard's keys, where a
double letter is two quick taps) keeps Qt's own rule.

Inside an area marked for drag scrolling (``kiosk.ui.widgets.drag_scroll``) a contact that slides farther
than the tolerance scrolls the area, wherever it started: on a button it then never clicks it; on anything
else (a text field, a link, a check box's label) the press is held back until the contact ends, and given
to the widget only if it was a tap, so a drag never selects text, opens a list or follows a link.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QMouseEvent, QWindow
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QWidget

from kiosk.session.touch_policy import TouchPolicy, TouchSettings, Verdict
from kiosk.ui.widgets.drag_scroll import DragScroll, drag_area_of
from kiosk.ui.widgets.hold_fill import HoldFill

EXEMPT_PROPERTY = "kioskTouchExempt"
HOLD_FRAME_MS = 16

_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)
_MOUSE = (*_PRESSES, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease)


def monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000


def _give_click_focus(widget: QWidget) -> None:
    """Focus as Qt gives it on a click: the widget or the nearest parent that takes focus on a click."""
    current: QWidget | None = widget
    while current is not None:
        if current.isEnabled() and current.focusPolicy().value & Qt.FocusPolicy.ClickFocus.value:
            current.setFocus(Qt.FocusReason.MouseFocusReason)
            return
        if current.isWindow():
            return
        current = current.parentWidget()


def _scrollable(widget: QWidget) -> bool:
    """Inside an area that can scroll now, a long slide is a scroll rather than a tap."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and (
                parent.verticalScrollBar().maximum() > 0 or parent.horizontalScrollBar().maximum() > 0):
            return True
        parent = parent.parentWidget()
    return False


class TouchFilter(QObject):
    def __init__(self, settings: TouchSettings, clock: Callable[[], int] = monotonic_ms,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.policy = TouchPolicy(settings)
        self.drag = DragScroll(settings.slide_tolerance_px)
        self.clock = clock
        self._held_press: QMouseEvent | None = None  # a press on a non-button, given to it if the contact is a tap
        self._held_widget: QWidget | None = None
        self._replaying = False
        self._held_focus: list[tuple[QWidget, Qt.FocusPolicy]] = []
        self._target: QAbstractButton | None = None
        self._pressed_stamp = 0
        self._pressed_clock = 0
        self._fill: HoldFill | None = None
        self._fill_colour = "#1f5f8b"
        self._hold_timer = QTimer(self)
        self._hold_timer.setInterval(HOLD_FRAME_MS)
        self._hold_timer.timeout.connect(self._on_hold_frame)

    @property
    def settings(self) -> TouchSettings:
        return self.policy.settings

    def set_fill_colour(self, colour: str) -> None:
        self._fill_colour = colour
        if self._fill is not None and shiboken6.isValid(self._fill):
            self._fill.set_colour(colour)

    def hold_progress(self) -> float:
        return self._fill.progress if self._fill is not None and shiboken6.isValid(self._fill) else 0.0

    # --- events -------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _MOUSE or self._replaying:
            return False
        if isinstance(watched, QWindow):
            if kind in _PRESSES:
                self._hold_click_focus(watched, event)  # type: ignore[arg-type]
            return False
        if not isinstance(watched, QWidget):
            return False
        if kind in _PRESSES:
            self._restore_click_focus()
        assert isinstance(event, QMouseEvent)
        if kind == QEvent.Type.MouseMove:
            if not event.buttons() & Qt.MouseButton.LeftButton:
                return False  # hovering with a mouse: nothing to decide
        elif event.button() != Qt.MouseButton.LeftButton:
            return False
        exempt = bool(watched.property(EXEMPT_PROPERTY))
        if not isinstance(watched, QAbstractButton) or exempt:
            return self._other_widget(watched, event, exempt)
        button = watched
        position = event.position().toPoint()
        stamp = event.timestamp()
        if kind in _PRESSES:
            self.drag.press(button, event.globalPosition(), stamp)
            self._press(button, position, stamp)
        elif kind == QEvent.Type.MouseMove:
            self.drag.move(event.globalPosition(), stamp)
            if button is self._target:
                self._act(self.policy.move(position.x(), position.y(), stamp))
        elif button is self._target or self._target is None:
            not_a_tap = self.drag.active and self.drag.release(event.globalPosition(), stamp)
            verdict = self.policy.release(position.x(), position.y(), stamp)
            self._act(Verdict.CANCELLED if not_a_tap else verdict)
            self._finish()
        return True  # the button never sees the raw event: the policy decides what it means

    def _other_widget(self, widget: QWidget, event: QMouseEvent, exempt: bool) -> bool:
        """Anything that is not a button: only a drag inside a scrolling area is decided here."""
        kind = event.type()
        if kind in _PRESSES:
            if exempt or not self.drag.press(widget, event.globalPosition(), event.timestamp()):
                return False
            self._held_press, self._held_widget = event.clone(), widget
            return True
        held = self._held_widget
        if held is None or not self.drag.active:
            if kind == QEvent.Type.MouseButtonRelease:
                self.policy.note_contact_end(event.timestamp())
            return False
        if kind == QEvent.Type.MouseMove:
            self.drag.move(event.globalPosition(), event.timestamp())
            return True
        not_a_tap = self.drag.release(event.globalPosition(), event.timestamp())
        press = self._held_press
        self._held_press, self._held_widget = None, None
        self.policy.note_contact_end(event.timestamp())
        if not_a_tap:
            return True
        if press is not None and shiboken6.isValid(held) and held.isVisible():
            # A tap: the widget gets its press now, then this release as Qt delivers it; and the focus Qt
            # would have given at the press (a replayed press is not the window system's, so Qt gives none).
            _give_click_focus(held)
            self._replaying = True
            try:
                QApplication.sendEvent(held, press)
            finally:
                self._replaying = False
        return False

    def _press(self, button: QAbstractButton, position: QPoint, stamp: int) -> None:
        if self.policy.in_contact and (self._target is None or not self._target_alive()):
            # The previous contact's release never reached us (its button was hidden or deleted meanwhile).
            self.policy.abandon()
            self._finish()
        if not button.isEnabled():
            return
        verdict = self.policy.press(position.x(), position.y(), stamp, button.width(), button.height(),
                                    _scrollable(button))
        if verdict is not Verdict.TRACKING:
            return
        self._target = button
        self._pressed_stamp = stamp
        self._pressed_clock = self.clock()
        button.setDown(True)
        if self.settings.hold_ms > 0:
            self._fill_for(button).cover(button)
            self._hold_timer.start()

    def _act(self, verdict: Verdict) -> None:
        button = self._target
        if verdict is Verdict.CANCELLED:
            self._stop_showing_press()
        elif verdict is Verdict.ACTIVATE and button is not None and self._target_alive():
            self._stop_showing_press()
            if button.isEnabled() and button.isVisible():
                button.click()

    def _on_hold_frame(self) -> None:
        if self._target is None or not self._target_alive():
            self.policy.abandon()
            self._finish()
            return
        now = self._pressed_stamp + (self.clock() - self._pressed_clock)
        progress = self.policy.hold_progress(now)
        verdict = self.policy.tick(now)
        if self._fill is not None:
            self._fill.set_progress(1.0 if verdict is Verdict.ACTIVATE else progress)
        if verdict is Verdict.ACTIVATE:
            self._act(verdict)

    # --- focus -------------------------------------------------------------------------------------------
    def _hold_click_focus(self, window: QWindow, event: QMouseEvent) -> None:
        """Qt gives a pressed text field the focus before any filter sees the press (and the keyboard opens,
        the form scrolls to the field). Inside a scrolling area that is decided at the release, when the contact
        is known to be a tap: until the press has reached the widget, nothing under it takes focus on a click."""
        self._restore_click_focus()
        if event.button() != Qt.MouseButton.LeftButton:
            return
        widget = next((top for top in QApplication.topLevelWidgets() if top.windowHandle() is window), None)
        target = widget.childAt(event.position().toPoint()) if widget is not None else None
        if target is None or isinstance(target, QAbstractButton) or drag_area_of(target) is None:
            return
        area = drag_area_of(target)
        chain: QWidget | None = target
        while chain is not None and chain is not area:
            if chain.focusPolicy().value & Qt.FocusPolicy.ClickFocus.value:
                self._held_focus.append((chain, chain.focusPolicy()))
            chain = chain.parentWidget()
        for held, _policy in self._held_focus:
            held.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def _restore_click_focus(self) -> None:
        # In the order they were taken: a field's focus proxy (an editable list's box) takes the field's policy
        # with it, and gets its own back after.
        for widget, policy in self._held_focus:
            if shiboken6.isValid(widget):
                widget.setFocusPolicy(policy)
        self._held_focus = []

    # --- bookkeeping ----------------------------------------------------------------------------------
    def _target_alive(self) -> bool:
        button = self._target
        return button is not None and shiboken6.isValid(button) and button.isVisible() and button.isEnabled()

    def _stop_showing_press(self) -> None:
        self._hold_timer.stop()
        if self._fill is not None and shiboken6.isValid(self._fill):
            self._fill.hide()
        if self._target is not None and shiboken6.isValid(self._target):
            self._target.setDown(False)

    def _finish(self) -> None:
        self._stop_showing_press()
        self._target = None

    def _fill_for(self, button: QAbstractButton) -> HoldFill:
        if self._fill is None or not shiboken6.isValid(self._fill):
            self._fill = HoldFill(button)
            self._fill.set_colour(self._fill_colour)
        return self._fill
