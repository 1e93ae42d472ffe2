"""The on-screen keyboard (Qt Virtual Keyboard) on a real virtual screen, in separate processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from kiosk.ui.keyboard import LATIN_LAYOUT, layout_for

REPO_ROOT = Path(__file__).resolve().parents[2]
XVFB_RUN = shutil.which("xvfb-run")
needs_screen = pytest.mark.skipif(XVFB_RUN is None, reason="xvfb-run is not installed (scripts/setup installs it)")
EXPECTED = {"en": "en_GB", "tr": "tr_TR", "ar": "ar_AR", "fa": "fa_FA", "ru": "ru_RU", "de": "de_DE",
            "fr": "fr_FR", "uk": "uk_UA"}


def _under_xvfb(args: list[str], size: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "KIOSK_HOME": str(home)}
    env.pop("QT_IM_MODULE", None)
    return subprocess.run([XVFB_RUN, "-a", "-s", f"-screen 0 {size}x24", sys.executable, *args], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=240, check=False)


def test_every_language_has_its_own_layout_and_unknown_ones_fall_back_to_latin():
    available = [*EXPECTED.values(), "es_ES", "pt_BR"]
    assert {code: layout_for(code, available) for code in EXPECTED} == EXPECTED
    assert layout_for("pt", available) == "pt_BR"
    assert layout_for("sw", available) == LATIN_LAYOUT


@pytest.mark.slow
@needs_screen
def test_keyboard_follows_the_language_and_never_hides_the_field(tmp_path):
    result = _under_xvfb(["-m", "tests.e2e.keyboard_probe"], "1080x1920", tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["preloaded"], "the keyboard is loaded while the attract screen shows, not on the first tap"
    for language, expected in EXPECTED.items():
        assert report["layouts"][language] == {"shown": True, "layout": expected}, language
    assert report["inset_while_open"] > 32, "the form makes room for the keyboard"
    assert report["age_field_bottom"] <= report["keyboard_top"], "the focused field stays above the keyboard"
    assert report["hidden_after_home"]


@pytest.mark.slow
@needs_screen
@pytest.mark.parametrize("language", ["ar"])  # Russian and the others: the probe above
def test_form_screenshot_with_the_keyboard_open(tmp_path, language):
    out = tmp_path / f"form-{language}.png"
    result = _under_xvfb(["-m", "kiosk", "screenshot", "--screen", "form", "--keyboard", "--lang", language,
                          "--size", "1920x1080", "--out", str(out)], "1920x1080", tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]  # also: no abort while Qt tears the keyboard down
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1920, 1080)
    # The keyboard's keys are dark; the form behind them is light.
    assert QImage.pixelColor(image, 960, 1060).lightness() < 100
    assert QImage.pixelColor(image, 960, 140).lightness() > 200
