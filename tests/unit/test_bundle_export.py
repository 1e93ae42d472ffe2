"""``export_html``: a static site with one page per section per language, right-to-left where needed,
the kiosk's sanitised HTML, working links, and only the assets that are used."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.bundle.export_html import export_html
from tests.unit.test_bundle_support import LANGUAGES, SECTIONS, make_content, write_text


def test_every_section_in_every_language_with_direction(tmp_path: Path):
    content = make_content(tmp_path / "content")
    result = export_html(content, tmp_path / "site")
    assert result.pages == len(SECTIONS) * len(LANGUAGES)
    for language in LANGUAGES:
        for section in SECTIONS:
            page = (tmp_path / "site" / language / f"{section}.html").read_text(encoding="utf-8")
            direction = "rtl" if language in ("ar", "fa") else "ltr"
            assert f'<html lang="{language}" dir="{direction}">' in page
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="ar/index.html" lang="ar" dir="rtl">العربية<' in index


def test_links_point_at_pages_and_assets_are_the_used_ones(tmp_path: Path):
    content = make_content(tmp_path / "content")
    (content / "assets" / "unused.svg").write_bytes(b"<svg/>")
    site = tmp_path / "site"
    result = export_html(content, site)
    page = (site / "en" / "intro.html").read_text(encoding="utf-8")
    assert 'href="causes.html"' in page and 'href="intro.html"' in page
    assert "section:" not in page
    assert '<img src="../assets/diagram.svg"' in page
    assert (site / "assets" / "diagram.svg").is_file()
    assert not (site / "assets" / "unused.svg").exists()
    assert "assets/icons/care.svg" in result.assets and (site / "assets" / "icons" / "care.svg").is_file()
    for href in re.findall(r'href="([^"#]+)', page):
        assert (site / "en" / href).resolve().is_file(), href


def test_pages_are_sanitised_and_fallbacks_say_so(tmp_path: Path):
    content = make_content(tmp_path / "content")
    path = content / "de" / "causes.md"
    hostile = "\n<script>alert(1)</script>\n[x](javascript:alert(2))\n"
    write_text(path, path.read_text(encoding="utf-8") + hostile)
    (content / "fa" / "care.md").unlink()
    site = tmp_path / "site"
    export_html(content, site)
    german = (site / "de" / "causes.html").read_text(encoding="utf-8")
    assert "<script" not in german.lower() and "javascript:" not in german
    persian = (site / "fa" / "care.html").read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in persian
    assert 'class="note"' in persian and '<article lang="en" dir="ltr">' in persian
