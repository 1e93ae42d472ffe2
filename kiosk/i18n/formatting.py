"""Numbers, prices and dates in the current language's conventions.

Arabic and Persian get their own digits (Eastern Arabic, Persian); results are wrapped in a directional
isolate so they keep their order inside right-to-left text. A whole price has no decimals ("150 €") and a
dollar is always "US$" where the locale would write a bare "$" that could be any dollar.

For the shipped languages numbers and price patterns come from Qt's copy of CLDR (QLocale), which lives in
QtCore's read-only pages, and currency symbols from a table written out of Babel: asking Babel loads a
language's whole locale data, about 1.7 MB per language that Python never gives back, and a visitor who
tries every language would leave the kiosk 14 MB heavier. tests/unit/test_number_formats.py checks that
both paths write the same text for every shipped language. Other languages and dates use Babel.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt

from kiosk.i18n.catalogs import active_code
from kiosk.i18n.currency_symbols import DECIMALS, SYMBOLS
from kiosk.i18n.languages import KNOWN_FACTS, language_info
from kiosk.i18n.text import isolate

if TYPE_CHECKING:
    from babel import Locale

# Babel applies a locale's symbols but always writes Latin digits; CLDR names the digits to use.
_ZERO_OF_NUMBERING_SYSTEM = {"arab": "\u0660", "arabext": "\u06f0"}
# CLDR's "ar" (no region) defaults to Latin digits; the kiosk's Arabic readers (Gulf, Egypt, Iraq) read
# Eastern Arabic digits in print, so the kiosk uses them, with the matching separators (as Qt's "ar" does).
_NUMBERING_OF_LANGUAGE = {"ar": "arab"}
# A bare "$" is also the Canadian, Australian, Mexican ... dollar; these prefixes are CLDR's own.
_UNAMBIGUOUS_DOLLAR = {"USD": "US$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "HKD": "HK$"}
# Babel's default decimal pattern ("#,##0.###") shows at most three decimals.
_MOST_DECIMALS = 3
_WRITTEN_OUT = frozenset(facts[3] for facts in KNOWN_FACTS.values()) & frozenset(SYMBOLS)


def current_locale() -> str:
    return language_info(active_code()).babel_locale


def format_number(value: int | float, locale: str | None = None) -> str:
    chosen = locale or current_locale()
    if chosen not in _WRITTEN_OUT:
        return babel_format_number(value, chosen)
    if isinstance(value, float) and not value.is_integer():
        return _qt_locale(chosen).toString(round(value, _MOST_DECIMALS), "f",
                                              QLocale.FloatingPointPrecisionOption.FloatingPointShortest.value)
    return _qt_locale(chosen).toString(int(value))


def format_price(amount: float, currency: str, locale: str | None = None) -> str:
    """``amount`` of ``currency`` as the reader writes it: "150 €", "US$125", "١٥٠ €", "€ ۱۵۰"."""
    chosen = locale or current_locale()
    if chosen not in _WRITTEN_OUT:
        return babel_format_price(amount, currency, chosen)
    symbol = _unambiguous(SYMBOLS[chosen].get(currency, currency), currency)
    if _right_to_left(chosen) and _has_latin_capital(symbol):
        # In right-to-left text "US$" would show as "$US": the "$" takes the paragraph's direction.
        symbol = f"\u2066{symbol}\u2069"
    # The locale's own pattern; a whole amount without its fraction: "150,00 €" suggests cents that never come.
    decimals = 0 if float(amount).is_integer() else DECIMALS.get(currency, 2)
    return isolate(_qt_locale(chosen).toCurrencyString(float(amount), symbol, decimals))


def format_date(value: date, locale: str | None = None) -> str:
    from babel.dates import format_date as babel_date

    chosen = locale or current_locale()
    return localize_digits(babel_date(value, format="long", locale=chosen), chosen)


def format_datetime(value: datetime, locale: str | None = None) -> str:
    from babel.dates import format_datetime as babel_datetime

    chosen = locale or current_locale()
    return localize_digits(babel_datetime(value, format="medium", locale=chosen), chosen)


# -- Babel's path: languages not written out, dates, and the reference the written-out path is checked against


def babel_format_number(value: int | float, locale: str) -> str:
    from babel.numbers import format_decimal

    return localize_digits(format_decimal(value, locale=locale, numbering_system=numbering_system(locale)), locale)


def babel_format_price(amount: float, currency: str, locale: str) -> str:
    from babel.numbers import format_currency

    parsed = _babel_locale(locale)
    numbering = numbering_system(locale)
    if float(amount).is_integer():
        pattern = parsed.currency_formats["standard"].pattern.replace(".00", "")
        text = format_currency(amount, currency, format=pattern, locale=parsed, currency_digits=False,
                               numbering_system=numbering)
    else:
        text = format_currency(amount, currency, locale=parsed, numbering_system=numbering)
    symbol = parsed.currency_symbols.get(currency, currency)
    if symbol == "$":
        symbol = _unambiguous(symbol, currency)
        text = text.replace("$", symbol)
    if parsed.character_order == "right-to-left" and _has_latin_capital(symbol):
        text = text.replace(symbol, f"\u2066{symbol}\u2069")
    return isolate(localize_digits(text, locale))


def numbering_system(locale: str) -> str:
    """The CLDR numbering system whose digits and separators the kiosk writes for ``locale``."""
    parsed = _babel_locale(locale)
    return _NUMBERING_OF_LANGUAGE.get(parsed.language, parsed.default_numbering_system)


def localize_digits(text: str, locale: str) -> str:
    zero = _ZERO_OF_NUMBERING_SYSTEM.get(numbering_system(locale))
    if zero is None:
        return text
    return text.translate({ord("0") + digit: chr(ord(zero) + digit) for digit in range(10)})


@lru_cache(maxsize=64)
def _babel_locale(locale: str) -> Locale:
    from babel import Locale

    # Locale.parse builds a new object on every call, and a language switch formats a dozen numbers.
    return Locale.parse(locale)


@lru_cache(maxsize=16)
def _qt_locale(locale: str) -> QLocale:
    return QLocale(locale)


def _right_to_left(locale: str) -> bool:
    return _qt_locale(locale).textDirection() == Qt.LayoutDirection.RightToLeft


def _unambiguous(symbol: str, currency: str) -> str:
    return _UNAMBIGUOUS_DOLLAR.get(currency, currency) if symbol == "$" else symbol


def _has_latin_capital(text: str) -> bool:
    return any("A" <= char <= "Z" for char in text)
