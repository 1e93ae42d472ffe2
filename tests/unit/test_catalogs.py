"""The UI catalogs are complete and current: a string added in code but not extracted fails here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.config import load_config

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "translations" / "messages.pot"
LANGUAGES = [code for code in load_config(None, environ={})["languages.enabled"] if code != "en"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _ids(catalog) -> set[str]:
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


def test_template_is_current(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "N_", "-k", "ngettext:1,2", "-k", "pgettext:1c,2", "-o", str(fresh), "."],
                   cwd=ROOT, check=True, capture_output=True)
    missing = _ids(_read(fresh)) - _ids(_read(POT))
    assert not missing, f"strings in the code but not in messages.pot (run the extract command): {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_ui_string_is_translated(language):
    catalog = _read(ROOT / "translations" / language / "LC_MESSAGES" / "kiosk.po", language)
    template_ids = _ids(_read(POT))
    entries = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    assert template_ids <= set(entries), f"{language}: missing {template_ids - set(entries)}"
    for message_id in template_ids:
        message = entries[message_id]
        assert not message.fuzzy, f"{language}: fuzzy {message_id!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{language}: untranslated {message_id!r}"
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(message_id)), \
                f"{language}: placeholders differ in {message_id!r}"


@pytest.mark.parametrize("language,plurals", [("ar", 6), ("ru", 3), ("uk", 3), ("fa", 2), ("de", 2)])
def test_plural_forms(language, plurals):
    catalog = _read(ROOT / "translations" / language / "LC_MESSAGES" / "kiosk.po", language)
    assert catalog.num_plurals == plurals


def test_interface_speaks_the_chosen_language(make_kiosk):
    kiosk = make_kiosk()
    kiosk.navigator.home()
    kiosk.translator.set_language("ru")
    assert kiosk.window.top_bar.consult_button.text() == "Запросить консультацию"
    assert kiosk.home.tiles[0].title() == "Что такое дистония?"
    kiosk.translator.set_language("ar")
    assert kiosk.app.layoutDirection().name == "RightToLeft"
    assert kiosk.window.top_bar.consult_button.text() == "اطلب استشارة"
