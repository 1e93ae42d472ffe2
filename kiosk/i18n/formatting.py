"""Numbers, prices and dates in the current language's conventions (Babel's locale data).

Arabic and Persian get their own digits where the locale's default numbering system says so; results
are wrapped in a directional isolate so they keep their order inside right-to-left text.
"""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency, format_decimal

from kiosk.i18n.catalogs import active_code
from kiosk.i18n.languages import language_info
from kiosk.i18n.text import isolate

# Babel applies a locale's symbols but always writes Latin digits; CLDR names the digits to use.
_ZERO_OF_NUMBERING_SYSTEM = {"arab": "\u0660", "arabext": "\u06f0"}


def current_locale() -> str:
    return language_info(active_code()).babel_locale


def localize_digits(text: str, locale: str) -> str:
    zero = _ZERO_OF_NUMBERING_SYSTEM.get(Locale.parse(locale).default_numbering_system)
    if zero is None:
        return text
    return text.translate({ord("0") + digit: chr(ord(zero) + digit) for digit in range(10)})


def format_number(value: int | float, locale: str | None = None) -> str:
    chosen = locale or current_locale()
    return localize_digits(format_decimal(value, locale=chosen, numbering_system="default"), chosen)


def format_price(amount: float, currency: str, locale: str | None = None) -> str:
    chosen = locale or current_locale()
    text = format_currency(amount, currency, locale=chosen, numbering_system="default")
    return isolate(localize_digits(text, chosen))


def format_date(value: date, locale: str | None = None) -> str:
    chosen = locale or current_locale()
    return localize_digits(_babel_date(value, format="long", locale=chosen), chosen)


def format_datetime(value: datetime, locale: str | None = None) -> str:
    chosen = locale or current_locale()
    return localize_digits(_babel_datetime(value, format="medium", locale=chosen), chosen)
