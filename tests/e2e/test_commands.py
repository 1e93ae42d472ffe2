"""``kiosk check`` and ``kiosk screenshot`` as real processes, as staff and IT run them."""

from __future__ import annotations

import json
import shutil

import pytest
from PySide6.QtGui import QImage

from tests.conftest import SHIPPED_CONTENT, run_kiosk_command

pytestmark = pytest.mark.slow


def test_check_passes_on_the_shipped_content():
    result = run_kiosk_command("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "problem" not in result.stdout.splitlines()[-1]
    assert ": ok" in result.stdout


def test_check_json_lists_languages_sections_and_problems():
    result = run_kiosk_command("check", "--json")
    data = json.loads(result.stdout)
    assert {"languages", "sections", "problems"} <= data.keys()
    assert data["sections"][0] == "what-is-dystonia"
    codes = [language["code"] for language in data["languages"]]
    assert "en" in codes


def test_check_fails_on_a_broken_content_folder(tmp_path):
    broken = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, broken)
    (broken / "en" / "causes.md").write_text("# Causes\n\n[x](javascript:alert(1))\n", encoding="utf-8")
    result = run_kiosk_command("check", "--content", str(broken), "--json",
                               env={"KIOSK_LANGUAGES_ENABLED": "en"})
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    assert any("causes.md" in problem and "link refused" in problem for problem in problems)


def test_check_reports_a_missing_manifest(tmp_path):
    result = run_kiosk_command("check", "--content", str(tmp_path))
    assert result.returncode == 2 and "manifest" in result.stderr


@pytest.mark.parametrize("screen,size", [("home", "1920x1080"), ("reader:surgery", "1080x1920")])
def test_screenshot_writes_a_png_of_the_requested_size(tmp_path, screen, size):
    out = tmp_path / "shot.png"
    result = run_kiosk_command("screenshot", "--screen", screen, "--size", size, "--out", str(out))
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    width, height = (int(v) for v in size.split("x"))
    assert image.width() == width and image.height() == height
    # A rendered screen has many colours; a blank one has one or two.
    colours = {image.pixel(x, y) for x in range(0, width, 37) for y in range(0, height, 37)}
    assert len(colours) > 10


def test_screenshot_rejects_an_unknown_screen(tmp_path):
    result = run_kiosk_command("screenshot", "--screen", "nowhere", "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2 and "unknown screen" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_version():
    result = run_kiosk_command("--version")
    assert result.returncode == 0 and result.stdout.startswith("kiosk ")
