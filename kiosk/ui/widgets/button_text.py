"""Text from content or locale data on a button, shown as it is written."""

from __future__ import annotations


def literal(text: str) -> str:
    """``text`` for ``QPushButton.setText``: a button reads "&" as the mark of a keyboard shortcut, so
    "Bosnia & Herzegovina" would show as "Bosnia  Herzegovina" and "Turks & Caicos" as "Turks _Caicos"."""
    return text.replace("&", "&&")
