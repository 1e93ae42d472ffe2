"""The written-out country names are Babel's, the script writes exactly the tables in the tree, and a visitor
who opens the form in every shipped language leaves no Babel locale data behind (tests/unit/test_number_formats.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale

from kiosk.i18n.country_names import LOCALES as WRITTEN_OUT
from kiosk.i18n.country_names import names
from kiosk.i18n.languages import KNOWN_FACTS
from kiosk.outbox.request import country_choices, is_country_code

ROOT = Path(__file__).resolve().parents[2]
LOCALES = sorted({facts[3] for facts in KNOWN_FACTS.values()})
TABLES = [ROOT / "kiosk" / "i18n" / name for name in ("currency_symbols.py", "country_names.py")]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_names_are_babels(locale: str):
    assert locale in WRITTEN_OUT, "run scripts/write-locale-tables"
    territories = Locale.parse(locale).territories
    expected = {code: str(name) for code, name in territories.items()
                if isinstance(code, str) and len(code) == 2 and code.isalpha()}
    assert names(locale) == expected, "run scripts/write-locale-tables"


def test_the_tables_are_what_the_script_writes():
    before = [table.read_bytes() for table in TABLES]
    try:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "write-locale-tables")], check=True,
                       capture_output=True)
        for table, text in zip(TABLES, before, strict=True):
            assert table.read_bytes() == text, f"{table.name} is out of date: run scripts/write-locale-tables"
    finally:
        for table, text in zip(TABLES, before, strict=True):
            table.write_bytes(text)


def test_a_shipped_language_lists_countries_in_its_own_names_and_order():
    arabic = dict(country_choices("ar"))
    assert arabic["TR"] == "تركيا" and arabic["DE"] == "ألمانيا"
    assert dict(country_choices("de"))["TR"] == "Türkei"
    assert "EU" not in arabic and "ZZ" not in arabic
    assert is_country_code("TR") and not is_country_code("EU")


def test_a_language_not_written_out_gets_babels_names_and_a_code_babel_does_not_know_english():
    assert dict(country_choices("es"))["DE"] == "Alemania"
    assert dict(country_choices("qps"))["DE"] == "Germany"

