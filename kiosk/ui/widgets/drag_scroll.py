"""Scrolling by dragging a finger (or a mouse: many kiosk touch screens report a mouse) anywhere in an area.

An area is marked with ``enable_drag_scroll``; the application-wide touch filter asks ``DragScroll`` about
every left-button contact. A contact that starts inside a marked area that can scroll is watched: once it
has slid farther than the tap tolerance it scrolls the area, and Qt's QScroller carries on with a kinetic
flick after the finger lifts. Until then nothing scrolls, so a shaky tap stays a tap. A contact that lands
while the area is still flicking only stops it.

QScroller's own gesture (``grabGesture``) is not used: it only sees contacts that start on the viewport
itself, not on the buttons and fields inside it, and it delays every press by its own rule.
"""

from __future__ import annotations

import math

import shiboken6
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QAbstractScrollArea, QScroller, QScrollerProperties, QWidget

DRAG_PROPERTY = "kioskDragScroll"


def enable_drag_scroll(area: QAbstractScrollArea, reduce_motion: bool = False) -> QAbstractScrollArea:
    """Let ``area`` scroll by dragging anywhere inside it, with a kinetic flick; returns ``area``."""
    area.setProperty(DRAG_PROPERTY, True)
    set_reduce_motion(area, reduce_motion)
    return area


def set_reduce_motion(area: QAbstractScrollArea, reduce: bool) -> None:
    """With reduced motion a flick stops at the ends instead of overshooting and springing back."""
    scroller = QScroller.scroller(area.viewport())
    properties = scroller.scrollerProperties()
    # The touch filter decides when a slide is a drag (after the tap tolerance): from then on, every pixel.
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.DragStartDistance, 0.0)
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.MousePressEventDelay, 0.0)
    policy = (QScrollerProperties.OvershootPolicy.OvershootAlwaysOff if reduce
              else QScrollerProperties.OvershootPolicy.OvershootWhenScrollable)
    for axis in (QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy,
                 QScrollerProperties.ScrollMetric.VerticalOvershootPolicy):
        properties.setScrollMetric(axis, policy)
    scroller.setScrollerProperties(properties)


def drag_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    """The innermost marked area whose viewport holds ``widget`` and that has something to scroll."""
    child: QWidget | None = widget
    parent = widget.parentWidget()
    while child is not None and parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.property(DRAG_PROPERTY) and (
                child is parent.viewport()) and _can_scroll(parent):
            return parent
        child, parent = parent, parent.parentWidget()
    return None


def _can_scroll(area: QAbstractScrollArea) -> bool:
    return area.verticalScrollBar().maximum() > 0 or area.horizontalScrollBar().maximum() > 0


class DragScroll:
    """One contact at a time: where it started, whether it has become a drag, and the area it moves."""

    def __init__(self, tolerance_px: int) -> None:
        self.tolerance_px = tolerance_px
        self._area: QAbstractScrollArea | None = None
        self._start = QPointF()
        self._dragging = False
        self._stopped_flick = False

    @property
    def active(self) -> bool:
        return self._area is not None

    @property
    def dragging(self) -> bool:
        return self._dragging

    @property
    def stopped_flick(self) -> bool:
        """The contact landed on a moving area: it stopped the flick and counts as nothing else."""
        return self._stopped_flick

    def press(self, widget: QWidget, global_pos: QPointF, stamp: int) -> bool:
        """A contact starts on ``widget``; returns whether it is inside an area that can be dragged."""
        self.cancel()
        area = drag_area_of(widget)
        if area is None:
            return False
        self._area, self._start, self._dragging = area, QPointF(global_pos), False
        scroller = QScroller.scroller(area.viewport())
        self._stopped_flick = scroller.state() == QScroller.State.Scrolling
        if self._stopped_flick:
            scroller.stop()  # the finger holds the content where it is; it may go on to drag it
        scroller.handleInput(QScroller.Input.InputPress, self._local(global_pos), stamp)
        return True

    def move(self, global_pos: QPointF, stamp: int) -> bool:
        """Returns whether the contact is (now) a drag."""
        area = self._alive_area()
        if area is None:
            return False
        if not self._dragging:
            distance = math.hypot(global_pos.x() - self._start.x(), global_pos.y() - self._start.y())
            if distance <= self.tolerance_px:
                return False
            self._dragging = True
        QScroller.scroller(area.viewport()).handleInput(QScroller.Input.InputMove, self._local(global_pos), stamp)
        return True

    def release(self, global_pos: QPointF, stamp: int) -> bool:
        """The contact ends; returns whether it was a drag (or stopped a flick), i.e. not a tap."""
        area = self._alive_area()
        was_drag = self._dragging or self._stopped_flick
        if area is not None:
            scroller = QScroller.scroller(area.viewport())
            if self._dragging:
                scroller.handleInput(QScroller.Input.InputRelease, self._local(global_pos), stamp)
            else:
                # Not a drag: the scroller forgets the press without a flick (it saw no movement).
                scroller.handleInput(QScroller.Input.InputRelease, self._local(self._start), stamp)
        self._area, self._dragging, self._stopped_flick = None, False, False
        return was_drag

    def cancel(self) -> None:
        area = self._alive_area()
        if area is not None and QScroller.scroller(area.viewport()).state() == QScroller.State.Pressed:
            QScroller.scroller(area.viewport()).handleInput(QScroller.Input.InputRelease,
                                                             self._local(self._start), 0)
        self._area, self._dragging, self._stopped_flick = None, False, False

    def _alive_area(self) -> QAbstractScrollArea | None:
        area = self._area
        return area if area is not None and shiboken6.isValid(area) else None

    def _local(self, global_pos: QPointF) -> QPointF:
        assert self._area is not None
        return self._area.viewport().mapFromGlobal(global_pos)
