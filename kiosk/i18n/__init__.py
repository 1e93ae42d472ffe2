"""Translation layer: every user-visible string goes through ``_``, ``N_`` or ``ngettext`` from here.

Import them explicitly (``from kiosk.i18n import _``); nothing is installed into builtins. ``_`` looks up
the *current* language at call time, so code that builds text inside a ``retranslate()`` method follows
language switches without a restart. ``N_`` marks a string for extraction where it is defined and is
translated later with ``_``.
"""

from __future__ import annotations

from kiosk.i18n.catalogs import active_catalog


def _(message: str) -> str:
    return active_catalog().gettext(message)


def N_(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return active_catalog().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return active_catalog().pgettext(context, message)


__all__ = ["N_", "_", "ngettext", "pgettext"]
