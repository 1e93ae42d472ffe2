"""Retry timing: full-jitter backoff and Retry-After in both forms."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from kiosk.outbox.backoff import backoff_delay, parse_retry_after, retry_delay

NOW = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC).timestamp()


def test_backoff_stays_within_the_exponential_ceiling() -> None:
    rng = random.Random(1)
    for attempt, ceiling in [(1, 5), (2, 10), (3, 20), (4, 40), (8, 640), (9, 900), (50, 900), (10_000, 900)]:
        delays = [backoff_delay(attempt, base=5, cap=900, rng=rng) for _ in range(200)]
        assert all(0 <= delay <= ceiling for delay in delays)
        assert max(delays) > ceiling * 0.8  # full jitter uses the whole range


def test_backoff_is_fully_jittered() -> None:
    rng = random.Random(7)
    delays = {round(backoff_delay(6, rng=rng), 3) for _ in range(50)}
    assert len(delays) > 40


def test_backoff_treats_attempt_zero_or_negative_as_the_first() -> None:
    rng = random.Random(3)
    assert all(backoff_delay(attempt, base=2, rng=rng) <= 2 for attempt in (0, -5))


def test_backoff_cap_is_never_exceeded_for_huge_bases() -> None:
    assert backoff_delay(3, base=1e300, cap=900, rng=random.Random(0)) <= 900


@pytest.mark.parametrize(("value", "expected"), [("120", 120.0), ("0", 0.0), (" 7 ", 7.0)])
def test_retry_after_in_seconds(value: str, expected: float) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_retry_after_as_an_http_date() -> None:
    later = datetime(2026, 11, 28, 9, 2, 30, tzinfo=UTC)
    assert parse_retry_after(format_datetime(later, usegmt=True), NOW) == pytest.approx(150.0)
    assert parse_retry_after("Sat, 28 Nov 2026 09:00:10 GMT", NOW) == pytest.approx(10.0)


def test_retry_after_in_the_past_means_now() -> None:
    assert parse_retry_after("Sat, 28 Nov 2026 08:00:00 GMT", NOW) == 0.0


def test_retry_after_obsolete_date_forms_are_gmt() -> None:
    assert parse_retry_after("Saturday, 28-Nov-26 09:01:00 GMT", NOW) == pytest.approx(60.0)
    assert parse_retry_after("Sat Nov 28 09:01:00 2026", NOW) == pytest.approx(60.0)


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5", "Sat, 99 Nov 2026 09:00:00 GMT"])
def test_unusable_retry_after_is_none(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


def test_retry_delay_honours_the_server_but_never_beyond_the_cap() -> None:
    assert retry_delay(1, 30.0, base=5, cap=900) == 30.0
    assert retry_delay(1, 86_400.0, base=5, cap=900) == 900.0
    assert 0 <= retry_delay(3, None, base=5, cap=900, rng=random.Random(0)) <= 20
