"""Cleaning what a patient typed (or pasted) before it is checked or stored.

Everything here is pure and total: any ``str`` goes in, a clean ``str`` comes out. Input is treated as
text, never as markup or SQL, so there is nothing to escape here; what matters is that invisible
characters cannot disguise a value (bidi overrides can make "+90 532" display as something else to the
hospital's staff) and that a giant paste cannot make the kiosk slow.
"""

from __future__ import annotations

import re
import unicodedata

# Eastern Arabic (U+0660..0669) and Persian (U+06F0..06F9) digits -> ASCII. Arabic and Persian keyboards
# type these; phone numbers and ages must still parse.
_DIGITS = {code: str(value) for value in range(10) for code in (0x0660 + value, 0x06F0 + value)}

# Joiners shape Persian and Arabic words (and emoji sequences) correctly; removing them changes spelling.
_KEPT_FORMAT_CHARS = frozenset({"\u200c", "\u200d"})

# Work on a bounded prefix so a 10 MB paste costs the same as a 10 kB one. Text longer than the prefix is
# refused as too long by the form's checks (``longer_than_input_limit``), so the prefix never silently
# drops anything a request keeps: what is cleaned away are invisible characters and repeated spaces.
_PREFIX_FACTOR = 20
_PREFIX_MINIMUM = 4096

_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_digits(text: str) -> str:
    """Eastern Arabic and Persian digits become ASCII ``0``..``9``; everything else is unchanged."""
    return text.translate(_DIGITS)


def input_limit(max_len: int) -> int:
    """Raw characters looked at for a field of ``max_len``; anything longer is refused, not cut."""
    return max(max_len * _PREFIX_FACTOR, _PREFIX_MINIMUM)


def longer_than_input_limit(text: str, max_len: int) -> bool:
    return len(text) > input_limit(max_len)


def clean_text(text: str, max_len: int, *, multiline: bool = False) -> str:
    """Text safe to store and show: no control, format (bidi) or surrogate characters, NFC, trimmed.

    Runs of whitespace become one space; with ``multiline`` single line breaks survive (at most one
    empty line in a row). The result has at most ``max_len`` characters.
    """
    if max_len <= 0:
        return ""
    text = text[: input_limit(max_len)]
    text = unicodedata.normalize("NFC", text)
    pieces: list[str] = []
    for char in text:
        if char in ("\r", "\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"):
            pieces.append("\n" if multiline else " ")
        elif char.isspace():
            pieces.append(" ")
        elif char in _KEPT_FORMAT_CHARS:
            pieces.append(char)
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            # Cf covers every bidi embedding/override/isolate mark, LRM/RLM, ALM, BOM and soft hyphens;
            # Cs (lone surrogates) would make the UTF-8 encoding of the request fail later. Unassigned
            # code points stay: this Python's Unicode tables predate the newest emoji.
            continue
        else:
            pieces.append(char)
    cleaned = "".join(pieces)
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in cleaned.split("\n")]
        cleaned = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    else:
        cleaned = _SPACES.sub(" ", cleaned).strip()
    # Removing characters can bring a base letter and its combining mark together: compose again.
    cleaned = unicodedata.normalize("NFC", cleaned)
    return _truncate(cleaned, max_len)


def _truncate(text: str, max_len: int) -> str:
    if len(text) <= max_len:
        return text
    cut = text[:max_len]
    # Do not leave a dangling joiner or a half emoji sequence at the end.
    while cut and (cut[-1] in _KEPT_FORMAT_CHARS or unicodedata.category(cut[-1]) == "Mn"):
        cut = cut[:-1]
    return cut.rstrip()
