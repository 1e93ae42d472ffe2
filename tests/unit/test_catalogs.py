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


def placeholder_problem(message_id: str, strings: tuple[str, ...], plural: bool) -> str | None:
    """What is wrong with the placeholders of a translation, or None.

    A plural form other than the last may spell its number instead of showing it (Arabic "طلب واحد",
    "طلبان"): it may leave out one placeholder, the number, but then must not add it back in brackets.
    The last form serves most numbers and keeps every placeholder; nothing may appear that the msgid lacks.
    """
    wanted = set(PLACEHOLDER.findall(message_id))
    for index, text in enumerate(strings):
        found = set(PLACEHOLDER.findall(text))
        if found - wanted:
            return f"form {index} has placeholders the msgid lacks: {sorted(found - wanted)}"
        spelled = plural and index < len(strings) - 1
        if found != wanted and not (spelled and len(wanted - found) == 1):
            return f"form {index} lacks {sorted(wanted - found)}"
        if plural and re.search(r"\(\{\w+\}\)", text):
            return f"form {index} shows its number in brackets: {text!r}"
    return None


@pytest.mark.parametrize("message_id,strings,plural,expected", [
    ("{count} day", ("يوم واحد", "{count} يوم"), True, None),
    ("{count} day", ("{count} يوم", "يوم"), True, "form 1 lacks ['count']"),
    ("{count} day", ("يوم واحد ({count})", "{count} يوم"), True, "form 0 shows its number in brackets"),
    ("{count} in {folder}", ("طلب واحد", "{count} {folder}"), True, "form 0 lacks ['count', 'folder']"),
    ("{count} in {folder}", ("طلب واحد في {folder}", "{count} {folder}"), True, None),
    ("Hello {name}", ("Bonjour",), False, "form 0 lacks ['name']"),
    ("Hello {name}", ("Bonjour {nom}",), False, "form 0 has placeholders the msgid lacks: ['nom']"),
])
def test_placeholder_rules_catch_what_they_should(message_id, strings, plural, expected):
    problem = placeholder_problem(message_id, strings, plural)
    assert (problem is None) if expected is None else (problem is not None and problem.startswith(expected))


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
        problem = placeholder_problem(message_id, strings, plural=isinstance(message.id, tuple))
        assert problem is None, f"{language}: {message_id!r}: {problem}"


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
