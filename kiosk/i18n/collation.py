"""Sorting names the way a reader of the language expects (ICU collation through Qt's QCollator).

Unicode code points or NFKD folding put Persian پ, چ, ژ, گ after every Arabic letter and German umlauts
after z; a real collation follows each alphabet (پ right after ب, Ö with O). QtCore only, no widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from PySide6.QtCore import QCollator, QLocale

Item = TypeVar("Item")


def collator(language: str) -> QCollator:
    """An ICU collator for ``language`` (a code such as "fa" or "pt_BR"), case- and accent-aware."""
    sorter = QCollator(QLocale(language.replace("-", "_")))
    sorter.setNumericMode(True)
    return sorter


def collated(items: Iterable[Item], language: str, key: Callable[[Item], str]) -> list[Item]:
    """``items`` sorted by ``key(item)`` in the alphabetical order of ``language``."""
    sorter = collator(language)
    return sorted(items, key=lambda item: sorter.sortKey(key(item)))
