"""The touch rules on their own: recorded-like contacts as (position, time) steps, no screen needed."""

from __future__ import annotations

from kiosk.session.touch_policy import TouchPolicy, TouchSettings, Verdict

BUTTON = (200.0, 100.0)  # width, height


def tap(policy: TouchPolicy, path: list[tuple[float, float, int]], scrollable: bool = False) -> Verdict:
    """Press at the first point, move through the middle ones, release at the last."""
    x, y, t = path[0]
    verdict = policy.press(x, y, t, *BUTTON, scrollable=scrollable)
    for x, y, t in path[1:-1]:
        moved = policy.move(x, y, t)
        if moved is Verdict.CANCELLED:
            verdict = moved
    x, y, t = path[-1]
    released = policy.release(x, y, t)
    return released if verdict is Verdict.TRACKING else verdict


def test_a_plain_tap_counts():
    assert tap(TouchPolicy(), [(100, 50, 0), (100, 50, 80)]) is Verdict.ACTIVATE


def test_sliding_off_the_edge_within_the_tolerance_still_counts():
    policy = TouchPolicy(TouchSettings(slide_tolerance_px=40))
    assert tap(policy, [(180, 50, 0), (205, 60, 40), (230, 70, 90)]) is Verdict.ACTIVATE


def test_sliding_beyond_the_tolerance_cancels_even_when_coming_back():
    policy = TouchPolicy(TouchSettings(slide_tolerance_px=40))
    assert tap(policy, [(180, 50, 0), (260, 50, 40), (100, 50, 90)]) is Verdict.CANCELLED


def test_inside_a_scrolling_area_a_long_slide_is_a_scroll():
    policy = TouchPolicy(TouchSettings(slide_tolerance_px=40))
    assert tap(policy, [(100, 90, 0), (100, 40, 50), (100, 10, 90)], scrollable=True) is Verdict.CANCELLED
    policy = TouchPolicy(TouchSettings(slide_tolerance_px=40, repeat_ignore_ms=0))
    assert tap(policy, [(100, 60, 0), (100, 40, 50), (104, 30, 90)], scrollable=True) is Verdict.ACTIVATE


def test_a_bounce_is_ignored_and_so_is_a_chain_of_bounces():
    policy = TouchPolicy(TouchSettings(repeat_ignore_ms=400))
    assert tap(policy, [(100, 50, 0), (100, 50, 60)]) is Verdict.ACTIVATE
    assert tap(policy, [(102, 52, 200), (102, 52, 230)]) is Verdict.IGNORED
    assert tap(policy, [(101, 50, 500), (101, 50, 540)]) is Verdict.IGNORED  # 270 ms after the last bounce
    assert tap(policy, [(100, 50, 1000), (100, 50, 1060)]) is Verdict.ACTIVATE


def test_time_stamps_from_another_clock_never_make_a_bounce():
    policy = TouchPolicy(TouchSettings(repeat_ignore_ms=400))
    assert tap(policy, [(100, 50, 5000), (100, 50, 5050)]) is Verdict.ACTIVATE
    assert tap(policy, [(100, 50, 10), (100, 50, 30)]) is Verdict.ACTIVATE


def test_a_second_finger_while_the_first_rests_does_not_count():
    policy = TouchPolicy(TouchSettings(repeat_ignore_ms=0))
    assert policy.press(100, 50, 0, *BUTTON) is Verdict.TRACKING
    assert policy.press(20, 20, 30, *BUTTON) is Verdict.IGNORED
    assert policy.release(100, 50, 90) is Verdict.ACTIVATE


def test_hold_shorter_than_required_does_not_count():
    policy = TouchPolicy(TouchSettings(hold_ms=600, repeat_ignore_ms=0))
    policy.press(100, 50, 0, *BUTTON)
    assert policy.tick(300) is Verdict.TRACKING
    assert policy.hold_progress(300) == 0.5
    assert policy.release(100, 50, 400) is Verdict.CANCELLED


def test_hold_counts_once_the_moment_it_completes():
    policy = TouchPolicy(TouchSettings(hold_ms=600, repeat_ignore_ms=0))
    policy.press(100, 50, 0, *BUTTON)
    assert policy.tick(599) is Verdict.TRACKING
    assert policy.tick(600) is Verdict.ACTIVATE
    assert policy.tick(700) is Verdict.IGNORED
    assert policy.release(100, 50, 900) is Verdict.IGNORED
    assert policy.hold_progress(900) == 0.0


def test_an_abandoned_contact_does_not_block_the_next():
    policy = TouchPolicy(TouchSettings(repeat_ignore_ms=400))
    policy.press(100, 50, 0, *BUTTON)
    policy.abandon()
    assert not policy.in_contact
    assert policy.press(100, 50, 10, *BUTTON) is Verdict.TRACKING
