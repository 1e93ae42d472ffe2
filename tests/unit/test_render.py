from __future__ import annotations

import pytest

from kiosk.bundle.render import render_markdown, safe_image_path, section_link_target

SECTIONS = ("causes", "diagnosis")


@pytest.mark.parametrize("href,expected", [
    ("causes.md", "causes"), ("./causes.md", "causes"), ("section:diagnosis", "diagnosis"),
    ("unknown.md", None), ("http://x/causes.md", None), ("../causes.md", None), ("/causes.md", None),
    ("file:causes.md", None), ("javascript:causes.md", None),
])
def test_section_link_target(href, expected):
    assert section_link_target(href, SECTIONS) == expected


@pytest.mark.parametrize("src,expected", [
    ("assets/a.png", "assets/a.png"), ("assets/a.svg", "assets/a.svg"), ("../a.png", None), ("/etc/a.png", None),
    ("file:///a.png", None), ("c:/a.png", None), ("assets\\a.png", None), ("assets/a.exe", None),
    ("assets/../../a.png", None), ("", None), ("//host/a.png", None),
])
def test_safe_image_path(src, expected):
    assert safe_image_path(src) == expected


def test_raw_html_and_scripts_are_removed_but_text_stays():
    result = render_markdown("Hello <script>alert(1)</script><b onclick='x()'>bold</b>", "en", SECTIONS)
    assert "script" not in result.html and "onclick" not in result.html and "alert" not in result.html
    assert "<b>bold</b>" in result.html
    assert any("raw HTML" in problem for problem in result.problems)


def test_price_placeholder_follows_locale():
    assert "150&nbsp;€" in render_markdown("{{price EUR 150}}", "de", SECTIONS).html
    assert "US$125" in render_markdown("{{price USD 125}}", "en", SECTIONS).html
    assert "{{" not in render_markdown("{{price EUR 150}}", "ar", SECTIONS).html


def test_unknown_placeholder_is_reported_and_dropped():
    result = render_markdown("a {{weather today}} b", "en", SECTIONS)
    assert "weather" not in result.html and result.problems
