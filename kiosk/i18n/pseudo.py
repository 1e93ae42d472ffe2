"""Pseudo-translations for checking layouts before, and independently of, real translations.

``qps`` turns every English UI string into a longer, accented version in brackets: ``Home`` becomes
``[Ĥömé ·]``. A label cut short loses its closing bracket, text that bypasses gettext stays plain
English, and accented capitals show whether a line has room above it. ``qps-rtl`` is the same text laid out
right-to-left, so mirroring bugs show without reading Arabic. German and Russian run about 30 % longer than
English; the pseudo-text runs 40 % longer so that a layout that fits it fits them.
"""

from __future__ import annotations

import gettext
import math
import re

from kiosk.i18n.languages import PSEUDO_RTL

GROWTH = 0.4
_ACCENTED = str.maketrans(
    "aceinosuyzACEINOSUYZhkltHKLT",
    "áçéîñöšüýžÅÇÉÎÑÖŠÜÝŽĥķļţĤĶĻŢ",
)
# Placeholders and markup must survive untouched: {count}, %(name)s, %s, HTML entities.
_PROTECTED = re.compile(r"(\{[^{}]*\}|%\(\w+\)[sd]|%[sd]|&\w+;)")
_RLM = "\u200f"
PADDING_WORD = 10


def pseudo_text(text: str, rtl: bool = False) -> str:
    if not text:
        return text
    parts = _PROTECTED.split(text)
    converted = "".join(part if _PROTECTED.fullmatch(part) else part.translate(_ACCENTED) for part in parts)
    dots = "·" * max(1, math.ceil(len(text) * GROWTH) - 3)
    # In words of ten, as real text has them: one run of 80 dots would be a word no screen can wrap.
    padding = " ".join(dots[start:start + PADDING_WORD] for start in range(0, len(dots), PADDING_WORD))
    result = f"[{converted} {padding}]"
    return f"{_RLM}{result}{_RLM}" if rtl else result


class PseudoTranslations(gettext.NullTranslations):
    def __init__(self, code: str) -> None:
        super().__init__()
        self._rtl = code == PSEUDO_RTL

    def gettext(self, message: str) -> str:
        return pseudo_text(message, self._rtl)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return pseudo_text(singular if n == 1 else plural, self._rtl)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo_text(message, self._rtl)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return pseudo_text(singular if n == 1 else plural, self._rtl)
