"""Small helpers for showing text of one direction inside text of another."""

from __future__ import annotations

FIRST_STRONG_ISOLATE = "\u2068"
LEFT_TO_RIGHT_ISOLATE = "\u2066"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def isolate(text: str) -> str:
    """Wrap ``text`` so its direction cannot reorder the text around it (a drug name inside Arabic)."""
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"


def isolate_ltr(text: str) -> str:
    """Wrap text that is always left-to-right (phone numbers, e-mail addresses, reference codes)."""
    return f"{LEFT_TO_RIGHT_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
