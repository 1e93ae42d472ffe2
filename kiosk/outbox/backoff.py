"""When to try again: full-jitter exponential backoff and the server's ``Retry-After``.

Full jitter (a uniform delay between 0 and the exponential ceiling) spreads out a fleet of kiosks that
all lost the network at the same moment, so the hospital's server is not hit by all of them at once when
it comes back.
"""

from __future__ import annotations

import random
from datetime import UTC
from email.utils import parsedate_to_datetime

_RNG = random.SystemRandom()

# 2**62 * any sane base is far beyond every cap; clamping keeps the float arithmetic finite.
_MAX_EXPONENT = 62


def backoff_delay(
    attempt: int, base: float = 5.0, cap: float = 900.0, rng: random.Random | None = None
) -> float:
    """Seconds to wait after the ``attempt``-th failed try (1 = the first failure)."""
    exponent = min(max(attempt, 1) - 1, _MAX_EXPONENT)
    ceiling = min(cap, base * 2.0**exponent)
    return (rng or _RNG).uniform(0.0, max(0.0, ceiling))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds from ``now`` (Unix time) that a ``Retry-After`` header asks for; None if absent/invalid.

    Both forms are accepted: delta-seconds (``"120"``) and an HTTP-date
    (``"Wed, 21 Oct 2026 07:28:00 GMT"``). A date in the past means "now" (0).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 9110: every HTTP-date is GMT, even the obsolete forms without a zone
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)


def retry_delay(
    attempt: int,
    retry_after: float | None,
    base: float = 5.0,
    cap: float = 900.0,
    rng: random.Random | None = None,
) -> float:
    """The server's wish when it stated one (never beyond ``cap``), else full-jitter backoff."""
    if retry_after is not None:
        return min(max(0.0, retry_after), cap)
    return backoff_delay(attempt, base, cap, rng)
