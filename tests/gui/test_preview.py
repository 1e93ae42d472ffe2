"""Staff preview: saving a file shows the change at once, with the validator's problems over the kiosk."""

from __future__ import annotations

import shutil

import pytest

from kiosk.preview import Preview
from kiosk.session.navigator import Screen
from tests.conftest import SHIPPED_CONTENT


@pytest.fixture
def preview(qtbot, tmp_path, config):
    folder = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, folder)
    shown = Preview(config, folder)
    shown.kiosk.window.resize(1920, 1080)
    shown.show()
    qtbot.waitExposed(shown.kiosk.window)
    yield shown
    shown.kiosk.shutdown()


def test_saving_a_file_reloads_the_page_being_read_in_place(qtbot, preview):
    kiosk = preview.kiosk
    assert kiosk.window.current_screen() == "home"
    assert "error" not in preview.overlay.details.text(), "the shipped content has no errors"
    kiosk.navigator.open_section("causes")
    english = preview.folder / "en" / "causes.md"
    english.write_text(english.read_text(encoding="utf-8").replace("#", "# Revised:", 1), encoding="utf-8")
    qtbot.waitUntil(lambda: kiosk.reader.title.text().startswith("Revised:"), timeout=10000)
    assert kiosk.navigator.screen is Screen.READER and kiosk.navigator.section == "causes"


def test_problems_show_in_the_overlay_until_they_are_fixed(qtbot, preview):
    page = preview.folder / "en" / "diagnosis.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\nSee [nowhere](missing-section.md).\n", encoding="utf-8")
    qtbot.waitUntil(lambda: "error" in preview.overlay.details.text(), timeout=10000)
    first = preview.overlay.details.text().splitlines()[0]
    assert first.startswith("en/diagnosis.md:") and ": error: " in first, first
    assert "content problem" in preview.overlay.heading.text()
    page.write_text(original, encoding="utf-8")
    qtbot.waitUntil(lambda: "error" not in preview.overlay.details.text(), timeout=10000)


def test_a_broken_manifest_keeps_the_last_good_content_on_screen(qtbot, preview):
    kiosk = preview.kiosk
    sections_before = kiosk.library.section_ids
    (preview.folder / "manifest.toml").write_text("id = [", encoding="utf-8")
    qtbot.waitUntil(lambda: "manifest.toml" in preview.overlay.details.text(), timeout=10000)
    assert kiosk.library.section_ids == sections_before
