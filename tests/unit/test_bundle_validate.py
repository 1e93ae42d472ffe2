"""``validate_bundle`` and ``content_status`` on a synthetic folder with planted problems: each problem
is found, with its file and line, and with the right severity."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.bundle.library import MAX_IMAGE_BYTES, TranslationState
from kiosk.bundle.status import content_status
from kiosk.bundle.validate import Problem, Severity, has_errors, validate_bundle
from tests.unit.test_bundle_support import LANGUAGES, SECTIONS, make_content, translate, write_text


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return make_content(tmp_path / "content")


def found(problems: list[Problem], code: str, file: str) -> Problem:
    matches = [p for p in problems if p.code == code and p.file == file]
    assert matches, f"no {code} in {file}; got: " + "\n".join(map(str, problems))
    return matches[0]


def append(path: Path, text: str) -> int:
    """Append ``text`` and return the line number it starts on."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def test_missing_section_in_default_language_is_an_error(content):
    (content / "en" / "care.md").unlink()
    problem = found(validate_bundle(content, LANGUAGES), "missing-section", "en/care.md")
    assert problem.severity is Severity.ERROR


def test_missing_translation_is_a_warning(content):
    (content / "de" / "care.md").unlink()
    problems = validate_bundle(content, [*LANGUAGES, "tr"])
    assert found(problems, "missing-translation", "de/care.md").severity is Severity.WARNING
    assert found(problems, "missing-translation", "tr/intro.md").severity is Severity.WARNING
    assert not has_errors(problems)


def test_stale_and_unreviewed_translations_are_warnings_with_lines(content):
    append(content / "en" / "care.md", "\nA new paragraph.\n")
    translate(content, "intro", "ar", reviewed=False)
    problems = validate_bundle(content, LANGUAGES)
    stale = found(problems, "stale", "de/care.md")
    assert (stale.severity, stale.line) == (Severity.WARNING, 2)
    unreviewed = found(problems, "unreviewed", "ar/intro.md")
    assert (unreviewed.severity, unreviewed.line) == (Severity.WARNING, 3)
    assert not has_errors(problems)


def test_translation_without_source_hash_is_stale(content):
    write_text(content / "fa" / "help.md", "# Help\n\nText.\n")
    problem = found(validate_bundle(content, LANGUAGES), "stale", "fa/help.md")
    assert "no source_sha256" in problem.message


def test_broken_internal_links_name_the_line(content):
    text = "\nSee [old page](nothere.md).\n\nOr [this](section:gone#top).\n"
    line = append(content / "en" / "help.md", text)
    problems = [p for p in validate_bundle(content, LANGUAGES) if p.code == "broken-link"]
    assert [(p.file, p.line) for p in problems] == [("en/help.md", line + 1), ("en/help.md", line + 3)]
    assert "'nothere'" in problems[0].message and "'gone'" in problems[1].message
    assert all(p.severity is Severity.ERROR for p in problems)


@pytest.mark.parametrize("link", ["https://example.org", "file:///etc/passwd", "javascript:alert(1)",
                                  "mailto:a@b.c", "../outside/page.html"])
def test_links_the_kiosk_will_not_open_are_errors(content, link):
    line = append(content / "de" / "care.md", f"\n[click]({link})\n")
    problem = found(validate_bundle(content, LANGUAGES), "refused-link", "de/care.md")
    assert problem.line == line + 1 and problem.severity is Severity.ERROR


def test_raw_html_is_reported_on_each_line(content):
    line = append(content / "ar" / "causes.md", "\n<script>alert(1)</script>\n\ntext <b>bold</b>\n")
    problems = [p for p in validate_bundle(content, LANGUAGES) if p.code == "raw-html"]
    assert [(p.file, p.line) for p in problems] == [("ar/causes.md", line + 1), ("ar/causes.md", line + 3)]


def test_images_missing_oversized_or_outside(content):
    path = content / "en" / "surgery.md"
    line = append(path, "\n![a](assets/missing.png)\n\n![b](assets/huge.png)\n\n![c](/etc/x.png)\n"
                        "\n![d](https://example.org/x.png)\n")
    (content / "assets" / "huge.png").write_bytes(b"\0" * (MAX_IMAGE_BYTES + 1))
    problems = validate_bundle(content, LANGUAGES)
    by_code = {p.code: p for p in problems if p.file == "en/surgery.md"}
    assert by_code["image-missing"].line == line + 1
    assert by_code["image-too-big"].line == line + 3
    refused = [p for p in problems if p.code == "image-refused"]
    assert [p.line for p in refused] == [line + 5, line + 7]
    assert all(p.severity is Severity.ERROR for p in problems if p.code.startswith("image"))


def test_empty_section_is_an_error(content):
    write_text(content / "en" / "contact.md", "# Contact\n\n\n")
    assert found(validate_bundle(content, LANGUAGES), "empty-section", "en/contact.md").is_error


def test_file_for_a_section_not_in_the_manifest(content):
    write_text(content / "de" / "extra.md", "# Extra\n\ntext\n")
    assert found(validate_bundle(content, LANGUAGES), "unknown-section-file", "de/extra.md").is_error


def test_missing_icon_points_at_the_manifest_line(content):
    (content / "assets" / "icons" / "care.svg").unlink()
    problem = found(validate_bundle(content, LANGUAGES), "image-missing", "manifest.toml")
    lines = (content / "manifest.toml").read_text(encoding="utf-8").splitlines()
    assert lines[problem.line - 1] == 'icon = "assets/icons/care.svg"'


def test_broken_manifest_is_one_error_with_its_line(content):
    write_text(content / "manifest.toml", 'id = "x"\nversion = 1\ndefault_language = "en"\n[[sections]\n')
    (problem,) = validate_bundle(content, LANGUAGES)
    assert (problem.file, problem.code, problem.line) == ("manifest.toml", "manifest", 4)
    assert problem.is_error


def test_unknown_placeholder_and_encoding(content):
    line = append(content / "en" / "care.md", "\nPrice: {{cost 12}}\n")
    (content / "fa" / "care.md").write_bytes(b"# T\n\nok\n\xff\xfe broken\n")
    problems = validate_bundle(content, LANGUAGES)
    assert found(problems, "placeholder", "en/care.md").line == line + 1
    assert found(problems, "encoding", "fa/care.md").line == 4


def test_stray_files_symlinks_and_unused_assets(content):
    write_text(content / "notes.txt", "todo")
    (content / "en" / "link.md").symlink_to(content / "en" / "care.md")
    (content / "assets" / "unused.svg").write_bytes(b"<svg/>")
    write_text(content / ".DS_Store", "junk")
    problems = validate_bundle(content, LANGUAGES)
    assert found(problems, "not-in-bundle", "notes.txt").severity is Severity.WARNING
    assert found(problems, "symlink", "en/link.md").is_error
    assert found(problems, "unused-asset", "assets/unused.svg").severity is Severity.WARNING
    assert not any(p.file == ".DS_Store" for p in problems)


def test_problem_formats_like_a_compiler_message():
    problem = Problem(Severity.ERROR, "en/care.md", 12, "link to section 'x'", "broken-link")
    assert str(problem) == "en/care.md:12: error: link to section 'x'"
    assert problem.to_dict()["severity"] == "error"


def test_status_table_and_completeness(content):
    (content / "de" / "care.md").unlink()
    append(content / "en" / "intro.md", "\nMore.\n")  # every translation of intro is now stale
    translate(content, "help", "fa", reviewed=False)
    report = content_status(content, [*LANGUAGES, "tr"])
    assert report.languages == ("en", "de", "ar", "fa", "tr")
    assert report.states["care"]["de"] is TranslationState.MISSING
    assert report.states["intro"]["ar"] is TranslationState.STALE
    assert report.states["help"]["fa"] is TranslationState.UNREVIEWED
    assert report.states["causes"]["ar"] is TranslationState.OK
    assert report.completeness("en") == 100.0
    assert report.completeness("de") == round(100 * (len(SECTIONS) - 2) / len(SECTIONS), 1)
    assert report.completeness("tr") == 0.0
    table = report.format_table()
    assert table.splitlines()[0].split() == ["section", "en", "de", "ar", "fa", "tr"]
    assert "missing" in table and "stale" in table and "unreviewed" in table
    assert report.to_dict()["states"]["care"]["de"] == "missing"

