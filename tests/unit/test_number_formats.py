"""The shipped languages' numbers and prices (Qt's CLDR and a written-out symbol table) read exactly as Babel
writes them, so a Qt or Babel upgrade that changes a separator, a digit or a symbol is caught here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale

from kiosk.i18n import formatting
from kiosk.i18n.currency_symbols import DECIMALS, SYMBOLS
from kiosk.i18n.languages import KNOWN_FACTS

ROOT = Path(__file__).resolve().parents[2]
LOCALES = sorted({facts[3] for facts in KNOWN_FACTS.values()})
NUMBERS = [0, 1, 7, 12, 999, 1000, 1234, 12345, 99999, 1234567, 2**31, 1.5, 12.25, 1234.5, 0.125, 3.0]
AMOUNTS = [1, 99, 150, 1250, 999999, 99.5, 1234.56, 0.99]
CURRENCIES = ["EUR", "USD", "GBP", "TRY", "RUB", "UAH", "IRR", "SAR", "AED", "CAD", "JPY", "CHF"]


@pytest.mark.parametrize("locale", LOCALES)
def test_numbers_read_as_babel_writes_them(locale: str):
    for value in NUMBERS:
        assert formatting.format_number(value, locale) == formatting.babel_format_number(value, locale), value


@pytest.mark.parametrize("locale", LOCALES)
def test_prices_read_as_babel_writes_them(locale: str):
    for currency in CURRENCIES:
        for amount in AMOUNTS:
            expected = formatting.babel_format_price(amount, currency, locale)
            assert formatting.format_price(amount, currency, locale) == expected, (currency, amount)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_symbol_table_is_babels(locale: str):
    assert locale in SYMBOLS, "run scripts/write-locale-tables"
    symbols = Locale.parse(locale).currency_symbols
    expected = {code: symbol for code, symbol in symbols.items() if symbol != code}
    assert SYMBOLS[locale] == expected, "run scripts/write-locale-tables"


def test_the_decimals_table_is_babels():
    from babel.core import get_global
    from babel.numbers import get_currency_precision

    for code in get_global("currency_fractions"):
        if code != "DEFAULT":
            assert DECIMALS.get(code, 2) == get_currency_precision(code), code


def test_a_language_not_written_out_is_formatted_by_babel():
    assert formatting.format_number(1234567, "es") == "1.234.567"
    assert formatting.format_price(150, "EUR", "pt_BR") == formatting.babel_format_price(150, "EUR", "pt_BR")


def test_the_shipped_languages_never_load_babels_locale_data():
    # Run in a fresh interpreter: the point is what a kiosk process holds after a visitor tried every
    # language on every screen (numbers, prices, the form's country list and its search).
    code = (
        "from babel import localedata\n"
        "from kiosk.i18n import formatting\n"
        "from kiosk.outbox.country_search import find_countries\n"
        "from kiosk.outbox.request import country_choices\n"
        f"for locale in {LOCALES!r}:\n"
        "    formatting.format_number(1234.5, locale); formatting.format_price(150, 'USD', locale)\n"
        "    country_choices(locale); find_countries('tur', locale)\n"
        "print(sorted(localedata._cache))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
