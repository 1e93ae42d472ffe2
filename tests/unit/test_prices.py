"""Prices as each reader writes them: whole amounts without decimals, no bare "$", the locale's digits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.bundle.render import render_markdown
from kiosk.i18n.formatting import format_price

NBSP = "\xa0"
# What a reader of each language expects to see for the consultation's two prices.
EXPECTED = {
    "en": ("€150", "US$125"),
    "tr": ("€150", "US$125"),
    "de": (f"150{NBSP}€", f"125{NBSP}US$"),
    "fr": (f"150{NBSP}€", f"125{NBSP}$US"),
    "ru": (f"150{NBSP}€", f"125{NBSP}US$"),
    "uk": (f"150{NBSP}EUR", f"125{NBSP}USD"),
    "ar": (f"١٥٠{NBSP}€", f"١٢٥{NBSP}US$"),
    "fa": (f"€{NBSP}۱۵۰", f"US${NBSP}۱۲۵"),
}
BIDI_MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")


def _visible(text: str) -> str:
    return BIDI_MARKS.sub("", text)


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_whole_prices_have_no_decimals_and_name_the_dollar(language: str) -> None:
    euro, dollar = EXPECTED[language]
    assert _visible(format_price(150, "EUR", language)) == euro
    assert _visible(format_price(125, "USD", language)) == dollar


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_no_price_is_a_bare_dollar_or_has_zero_cents(language: str) -> None:
    text = _visible(format_price(125, "USD", language))
    assert not re.search(r"(?<![A-Z])\$(?!US)", text), text
    assert not re.search(r"[.,٫]\s*[0０٠۰]{2}", _visible(format_price(150, "EUR", language)))


@pytest.mark.parametrize("language,digits", [("ar", "٠١٢٣٤٥٦٧٨٩"), ("fa", "۰۱۲۳۴۵۶۷۸۹")])
def test_arabic_and_persian_prices_use_their_own_digits(language: str, digits: str) -> None:
    text = _visible(format_price(1234567, "EUR", language))
    assert not re.search(r"[0-9]", text)
    assert set(digits[1:8]) <= set(text)


def test_a_latin_currency_symbol_keeps_its_order_in_right_to_left_text() -> None:
    assert "\u2066US$\u2069" in format_price(125, "USD", "ar")
    assert "\u2066US$\u2069" in format_price(125, "USD", "fa")
    assert "\u2066" not in format_price(125, "USD", "de")


def test_an_amount_with_cents_keeps_them() -> None:
    assert _visible(format_price(99.5, "EUR", "de")) == f"99,50{NBSP}€"
    assert _visible(format_price(99.5, "EUR", "fa")) == f"€{NBSP}۹۹٫۵۰"


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_the_consultation_page_shows_the_prices_as_the_reader_writes_them(language: str) -> None:
    text = (Path(__file__).resolve().parents[2] / "content" / language / "consultation.md").read_text("utf-8")
    html = _visible(render_markdown(text, language, ["consultation", "treatment", "surgery",
                                                      "what-is-dystonia", "causes", "diagnosis"]).html)
    html = html.replace("&nbsp;", NBSP)
    euro, dollar = EXPECTED[language]
    assert euro in html and dollar in html
