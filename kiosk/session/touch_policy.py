"""When a contact on a button counts as a tap: tolerant of sliding, bouncing and shaking hands.

Modelled on the touch accommodations phones offer. Qt's own rule (a tap is a press and a release inside the
button) fails people whose hand lands, slides off the edge and bounces back. Here:

- a contact counts when it is released no farther than ``slide_tolerance_px`` outside the button, even if it
  slid on the way; inside something that scrolls, sliding farther than the tolerance is a scroll, never a tap;
- a contact that starts less than ``repeat_ignore_ms`` after the previous one ended is a bounce and is
  ignored, so one tap never counts twice, nor presses the button that appears in the same place next;
- with ``hold_ms`` > 0 a contact must rest that long; it counts the moment the hold completes.

Pure state over (press, move, release, time): no Qt, so the rules are tested without a screen. Times are in
milliseconds from any monotonic clock, positions in the button's own coordinates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class TouchSettings:
    slide_tolerance_px: int = 40
    repeat_ignore_ms: int = 400
    hold_ms: int = 0


class Verdict(StrEnum):
    TRACKING = "tracking"  # the contact may still become a tap
    IGNORED = "ignored"  # a bounce, a second finger, or a contact already given up
    CANCELLED = "cancelled"  # slid away or scrolled: this contact will not count
    ACTIVATE = "activate"  # the tap counts: act now, once


@dataclass
class _Contact:
    start_x: float
    start_y: float
    width: float
    height: float
    scrollable: bool
    pressed_at: int
    state: Verdict = Verdict.TRACKING


class TouchPolicy:
    def __init__(self, settings: TouchSettings | None = None) -> None:
        self.settings = settings or TouchSettings()
        self._contact: _Contact | None = None
        self._last_end: int | None = None

    @property
    def tracking(self) -> bool:
        return self._contact is not None and self._contact.state is Verdict.TRACKING

    @property
    def in_contact(self) -> bool:
        return self._contact is not None

    def press(self, x: float, y: float, now: int, width: float, height: float, scrollable: bool = False) -> Verdict:
        """A contact starts at (x, y) on a target of the given size."""
        if self._contact is not None:
            return Verdict.IGNORED  # a second finger while the first rests: only the first one counts
        # A clock that went backwards (another input device's time stamps) never makes a bounce.
        bounced = self._last_end is not None and 0 <= now - self._last_end < self.settings.repeat_ignore_ms
        state = Verdict.IGNORED if bounced else Verdict.TRACKING
        self._contact = _Contact(x, y, width, height, scrollable, now, state)
        return state

    def move(self, x: float, y: float, now: int) -> Verdict:
        contact = self._contact
        if contact is None or contact.state is not Verdict.TRACKING:
            return Verdict.IGNORED
        if not self._still_a_tap(contact, x, y):
            contact.state = Verdict.CANCELLED
            return Verdict.CANCELLED
        return self.tick(now)

    def tick(self, now: int) -> Verdict:
        """Called while a contact rests: the hold may have completed."""
        contact = self._contact
        if contact is None or contact.state is not Verdict.TRACKING:
            return Verdict.IGNORED
        if self.settings.hold_ms > 0 and now - contact.pressed_at >= self.settings.hold_ms:
            contact.state = Verdict.IGNORED  # counted once; the release that follows does nothing more
            return Verdict.ACTIVATE
        return Verdict.TRACKING

    def release(self, x: float, y: float, now: int) -> Verdict:
        contact = self._contact
        self._contact = None
        self._last_end = now
        if contact is None or contact.state is not Verdict.TRACKING:
            return Verdict.IGNORED
        if not self._still_a_tap(contact, x, y):
            return Verdict.CANCELLED
        if self.settings.hold_ms > 0:
            return Verdict.CANCELLED if now - contact.pressed_at < self.settings.hold_ms else Verdict.ACTIVATE
        return Verdict.ACTIVATE

    def abandon(self) -> None:
        """The target went away (hidden, disabled, another screen) or its release was never seen: this
        contact counts for nothing and no longer blocks the next one."""
        self._contact = None

    def note_contact_end(self, now: int) -> None:
        """A contact ended somewhere that is not a button (the attract screen, a text field): a bounce
        that lands on the button now under the finger must not count either."""
        if self._contact is None:
            self._last_end = now

    def hold_progress(self, now: int) -> float:
        """0..1 of the hold for a visible fill; 0 when holding is off or nothing is being held."""
        contact = self._contact
        if self.settings.hold_ms <= 0 or contact is None or contact.state is not Verdict.TRACKING:
            return 0.0
        return max(0.0, min(1.0, (now - contact.pressed_at) / self.settings.hold_ms))

    def _still_a_tap(self, contact: _Contact, x: float, y: float) -> bool:
        tolerance = self.settings.slide_tolerance_px
        if contact.scrollable and math.hypot(x - contact.start_x, y - contact.start_y) > tolerance:
            return False  # inside a scrolling area, a slide this long is the start of a scroll
        return -tolerance <= x <= contact.width + tolerance and -tolerance <= y <= contact.height + tolerance
