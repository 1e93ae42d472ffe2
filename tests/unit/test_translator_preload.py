"""A catalog read ahead (after the first frame) is what a later switch to its language uses."""

from __future__ import annotations

import shutil
from pathlib import Path

from kiosk.i18n import _, catalogs
from kiosk.i18n.translator import Translator
from tests.conftest import REPO_ROOT


def test_a_preloaded_catalog_serves_the_switch_even_when_its_file_is_gone_by_then(tmp_path: Path):
    translations = tmp_path / "translations"
    shutil.copytree(REPO_ROOT / "translations", translations)
    translator = Translator(["en", "de"], "en", translations_dir=translations)
    try:
        translator.load_catalog("de")
        shutil.rmtree(translations / "de")  # a switch that read the file only now would find nothing
        translator.set_language("de")
        assert _("Dystonia information") == "Informationen zu Dystonie"
    finally:
        translator.set_language("en")
        catalogs.clear_cache()


def test_without_preloading_the_switch_reads_the_file_then(tmp_path: Path):
    translations = tmp_path / "translations"
    shutil.copytree(REPO_ROOT / "translations", translations)
    translator = Translator(["en", "de"], "en", translations_dir=translations)
    try:
        shutil.rmtree(translations / "de")
        translator.set_language("de")
        assert _("Dystonia information") == "Dystonia information"  # no catalog: the English text, never blank
    finally:
        translator.set_language("en")
        catalogs.clear_cache()
