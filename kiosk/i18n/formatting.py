"""Numbers, prices and dates in the current language's conventions (Babel's locale data).

Arabic and Persian get their own digits (Eastern Arabic, Persian); results are wrapped in a directional
isolate so they keep their order inside right-to-left text. A whole price has no decimals ("150 €") and a
dollar is always "US$" where the locale would write a bare "$" that could be any dollar.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency, format_decimal

from kiosk.i18n.catalogs import active_code
from kiosk.i18n.languages import language_info
from kiosk.i18n.text import isolate

# Babel applies a locale's symbols but always writes Latin digits; CLDR names the digits to use.
_ZERO_OF_NUMBERING_SYSTEM = {"arab": "\u0660", "arabext": "\u06f0"}
# CLDR's "ar" (no region) defaults to Latin digits; the kiosk's Arabic readers (Gulf, Egypt, Iraq) read
# Eastern Arabic digits in print, so the kiosk uses them, with the matching separators.
_NUMBERING_OF_LANGUAGE = {"ar": "arab"}


def current_locale() -> str:
    return language_info(active_code()).babel_locale


@lru_cache(maxsize=64)
def _parsed(locale: str) -> Locale:
    # Locale.parse builds a new object on every call, and a language switch formats a dozen numbers.
    return Locale.parse(locale)


def numbering_system(locale: str) -> str:
    """The CLDR numbering system whose digits and separators the kiosk writes for ``locale``."""
    parsed = _parsed(locale)
    return _NUMBERING_OF_LANGUAGE.get(parsed.language, parsed.default_numbering_system)


def localize_digits(text: str, locale: str) -> str:
    zero = _ZERO_OF_NUMBERING_SYSTEM.get(numbering_system(locale))
    if zero is None:
        return text
    return text.translate({ord("0") + digit: chr(ord(zero) + digit) for digit in range(10)})


def format_number(value: int | float, locale: str | None = None) -> str:
    chosen = locale or current_locale()
    return localize_digits(format_decimal(value, locale=chosen, numbering_system=numbering_system(chosen)), chosen)


def format_price(amount: float, currency: str, locale: str | None = None) -> str:
    """``amount`` of ``currency`` as the reader writes it: "150 €", "US$125", "١٥٠ €", "€ ۱۵۰"."""
    chosen = locale or current_locale()
    parsed = _parsed(chosen)
    numbering = numbering_system(chosen)
    if float(amount).is_integer():
        # The locale's own pattern without its fraction: "150,00 €" would suggest cents that never come.
        pattern = parsed.currency_formats["standard"].pattern.replace(".00", "")
        text = format_currency(amount, currency, format=pattern, locale=parsed, currency_digits=False,
                               numbering_system=numbering)
    else:
        text = format_currency(amount, currency, locale=parsed, numbering_system=numbering)
    symbol = parsed.currency_symbols.get(currency, currency)
    if symbol == "$":
        symbol = _UNAMBIGUOUS_DOLLAR.get(currency, currency)
        text = text.replace("$", symbol)
    if parsed.character_order == "right-to-left" and any("A" <= char <= "Z" for char in symbol):
        # In right-to-left text "US$" would show as "$US": the "$" takes the paragraph's direction.
        text = text.replace(symbol, f"\u2066{symbol}\u2069")
    return isolate(localize_digits(text, chosen))


# A bare "$" is also the Canadian, Australian, Mexican ... dollar; these prefixes are CLDR's own.
_UNAMBIGUOUS_DOLLAR = {"USD": "US$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "HKD": "HK$"}


def format_date(value: date, locale: str | None = None) -> str:
    chosen = locale or current_locale()
    return localize_digits(_babel_date(value, format="long", locale=chosen), chosen)


def format_datetime(value: datetime, locale: str | None = None) -> str:
    chosen = locale or current_locale()
    return localize_digits(_babel_datetime(value, format="medium", locale=chosen), chosen)
