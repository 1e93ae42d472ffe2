"""The written-out language facts say what Babel says, so a Babel upgrade that renames a language is caught."""

from __future__ import annotations

import pytest

from kiosk.i18n.languages import KNOWN_FACTS, babel_language_info, language_info


@pytest.mark.parametrize("code", sorted(KNOWN_FACTS))
def test_known_facts_match_babel(code: str):
    assert language_info(code) == babel_language_info(code)


def test_every_shipped_catalog_has_its_facts_written_out():
    from kiosk import paths

    shipped = {folder.name for folder in paths.translations_dir().iterdir() if (folder / "LC_MESSAGES").is_dir()}
    assert shipped <= set(KNOWN_FACTS), shipped - set(KNOWN_FACTS)


def test_a_language_not_written_out_comes_from_babel():
    info = language_info("pt_BR")
    assert info == babel_language_info("pt_BR")
    assert info.native_name.startswith("Portugu") and not info.rtl


def test_an_unknown_code_is_refused_clearly():
    with pytest.raises(ValueError, match="unknown language code 'xx-nonsense'"):
        language_info("xx-nonsense")
