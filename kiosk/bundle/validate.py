"""Everything wrong with a content folder, each with the file and line to fix.

Used by ``kiosk bundle validate``, by ``build`` (no bundle is built while errors remain), by the kiosk
before it activates a bundle, and by ``kiosk check`` / the preview overlay. Errors are what would show a
patient a broken or empty page or make the kiosk drop something silently; warnings are what staff should
know but what the kiosk handles (missing, stale or unreviewed translations, stray files).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from kiosk.bundle.assetcheck import asset_problem
from kiosk.bundle.contentlimits import MAX_SOURCE_FILE_BYTES, MAX_TITLE_CHARS, scan_markdown
from kiosk.bundle.layout import LANGUAGE_CODE, scan_content
from kiosk.bundle.library import MAX_IMAGE_BYTES, ContentLibrary, TranslationState
from kiosk.bundle.manifest import MANIFEST_NAME, Manifest, ManifestError, load_manifest
from kiosk.bundle.render import SECTION_SCHEME, render_markdown, safe_image_path
from kiosk.bundle.safepath import collision_key, name_problem
from kiosk.bundle.sourcefile import SourceFile, parse_source

_REFUSED = re.compile(r"^(link|image) refused: (.*)$")
_PLACEHOLDER = re.compile(r"^unknown placeholder (.*)$")
_RAW_HTML = re.compile(r"<\s*[a-zA-Z!/]")
_TOML_LINE = re.compile(r"at line (\d+)")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    severity: Severity
    file: str  # relative to the content folder, with forward slashes
    line: int | None
    message: str
    code: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity.value}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def has_errors(problems: Sequence[Problem]) -> bool:
    return any(problem.is_error for problem in problems)


def validate_bundle(root: Path, languages: Sequence[str] | None = None) -> list[Problem]:
    """All problems of the content folder ``root``; ``languages`` are the ones the kiosk offers (missing
    files for them are reported), by default those that have a folder."""
    return _Validator(Path(root), languages).run()


class _Validator:
    def __init__(self, root: Path, languages: Sequence[str] | None) -> None:
        self.root = root
        self.expected = list(languages) if languages is not None else None
        self.problems: list[Problem] = []
        self.referenced_assets: set[str] = set()

    def add(self, severity: Severity, file: str, line: int | None, code: str, message: str) -> None:
        self.problems.append(Problem(severity, file, line, message, code))

    def error(self, file: str, line: int | None, code: str, message: str) -> None:
        self.add(Severity.ERROR, file, line, code, message)

    def warning(self, file: str, line: int | None, code: str, message: str) -> None:
        self.add(Severity.WARNING, file, line, code, message)

    def run(self) -> list[Problem]:
        if not self.root.is_dir():
            self.error(str(self.root), None, "no-folder", "not a folder")
            return self.problems
        manifest = self._manifest()
        if manifest is None:
            return self.problems
        scan = scan_content(self.root)
        self._files(scan.files, scan.ignored, scan.symlinks)
        library = ContentLibrary(self.root)
        languages = self._languages(manifest, scan.languages)
        for section_id in manifest.section_ids:
            for language in languages:
                self._section(library, manifest, section_id, language)
        for language in scan.languages:
            self._unknown_sections(manifest, language)
        self._icons(manifest)
        for relative in scan.files:
            if relative.startswith("assets/"):
                self._asset(relative)
            if relative.startswith("assets/") and relative not in self.referenced_assets:
                self.warning(relative, None, "unused-asset",
                             "not used by any section (it still adds to the bundle size)")
        return self.problems

    # --- manifest and files ---------------------------------------------------------------------------
    def _manifest(self) -> Manifest | None:
        try:
            return load_manifest(self.root)
        except ManifestError as error:
            match = _TOML_LINE.search(str(error))
            line = int(match.group(1)) if match else None
            message = str(error).removeprefix(f"{self.root / MANIFEST_NAME}: ")
            self.error(MANIFEST_NAME, line, "manifest", message)
            return None

    def _files(self, files: list[str], ignored: list[str], symlinks: list[str]) -> None:
        for relative in symlinks:
            self.error(relative, None, "symlink", "is a symbolic link; bundles contain real files only")
        for relative in ignored:
            self.warning(relative, None, "not-in-bundle",
                         "not part of a bundle (only manifest.toml, <language>/<section>.md and images "
                         "under assets/); it will be left out")
        seen: dict[str, str] = {}
        for relative in files:
            problem = name_problem(relative)
            if problem:
                self.error(relative, None, "file-name", f"file name not allowed in a bundle: {problem}")
            key = collision_key(relative)
            if key in seen:
                self.error(relative, None, "file-name",
                           f"differs from {seen[key]} only by case; kiosks on Windows would mix them up")
            seen[key] = relative

    def _languages(self, manifest: Manifest, present: list[str]) -> list[str]:
        for language in present:
            if not LANGUAGE_CODE.match(language):
                self.warning(language, None, "unknown-language",
                             f"folder '{language}' is not a language code")
            elif self.expected is not None and language not in self.expected:
                self.warning(language, None, "unknown-language",
                             f"'{language}' is not an enabled language; kiosks will not offer it")
        languages = [manifest.default_language]
        for language in (self.expected or []) + present:
            if language not in languages and LANGUAGE_CODE.match(language):
                languages.append(language)
        return languages

    def _unknown_sections(self, manifest: Manifest, language: str) -> None:
        folder = self.root / language
        for path in sorted(folder.glob("*.md")):
            if path.stem not in manifest.section_ids:
                self.error(f"{language}/{path.name}", None, "unknown-section-file",
                           f"section '{path.stem}' is not in {MANIFEST_NAME}; add it there or delete the "
                           "file")

    def _icons(self, manifest: Manifest) -> None:
        manifest_lines = _lines(self.root / MANIFEST_NAME)
        for entry in manifest.sections:
            line = _find_line(manifest_lines, f'"{entry.id}"') or _find_line(manifest_lines, entry.id)
            if not entry.icon:
                self.warning(MANIFEST_NAME, line, "icon-missing", f"section '{entry.id}' has no icon")
                continue
            line = _find_line(manifest_lines, entry.icon) or line
            self._image(MANIFEST_NAME, line, entry.icon, f"icon of '{entry.id}'")

    def _image(self, file: str, line: int | None, src: str, what: str) -> None:
        relative = safe_image_path(src)
        if relative is None:
            self.error(file, line, "image-refused",
                       f"{what} {src!r}: the kiosk shows only .png/.jpg/.svg/.webp files inside the folder")
            return
        self.referenced_assets.add(relative)
        path = self.root / relative
        if not path.is_file():
            self.error(file, line, "image-missing", f"{what} {relative!r} does not exist")
        elif path.stat().st_size > MAX_IMAGE_BYTES:
            self.error(file, line, "image-too-big",
                       f"{what} {relative!r} is {path.stat().st_size // 1024} KiB "
                       f"(limit {MAX_IMAGE_BYTES // 1024} KiB)")

    def _asset(self, relative: str) -> None:
        """Every picture, used or not, must be what its name says and reference nothing outside itself."""
        path = self.root / relative
        try:
            if path.stat().st_size > MAX_IMAGE_BYTES:
                return  # reported where it is used ("image-too-big"); not read
            problem = asset_problem(relative, path.read_bytes())
        except OSError as error:
            self.error(relative, None, "unreadable", f"cannot be read: {error.strerror}")
            return
        if problem:
            self.error(relative, None, "unsafe-asset", f"{problem}; the kiosk will not show it")

    # --- sections -------------------------------------------------------------------------------------
    def _section(self, library: ContentLibrary, manifest: Manifest, section_id: str, language: str) -> None:
        relative = f"{language}/{section_id}.md"
        path = self.root / language / f"{section_id}.md"
        if not path.is_file():
            if language == manifest.default_language:
                self.error(relative, None, "missing-section",
                           f"section '{section_id}' has no text in the default language '{language}'")
            else:
                self.warning(relative, None, "missing-translation",
                             f"no '{language}' translation of '{section_id}' (kiosks show "
                             f"'{manifest.default_language}' with a note)")
            return
        size = path.stat().st_size
        if size > MAX_SOURCE_FILE_BYTES:
            self.error(relative, None, "file-too-big",
                       f"over a content limit: the file is {size:,} bytes (limit "
                       f"{MAX_SOURCE_FILE_BYTES:,}); split it into several sections")
            return
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            line = path.read_bytes()[: error.start].count(b"\n") + 1
            self.error(relative, line, "encoding", "not UTF-8 text; save the file as UTF-8")
            return
        source = parse_source(text, path)
        lines = text.replace("\r\n", "\n").split("\n")
        if lines and lines[0].strip() == "---" and not source.front_matter and "---" not in lines[1:]:
            self.error(relative, 1, "front-matter", "front matter starts with '---' but is never closed")
        if language != manifest.default_language:
            self._translation(library, section_id, language, relative, source, lines)
        if not source.title:
            self.warning(relative, source.body_first_line, "no-title",
                         "the first line should be the title ('# Title'); the section id is shown instead")
        self._body(relative, source, lines, language, manifest)

    def _translation(self, library: ContentLibrary, section_id: str, language: str, relative: str,
                     source: SourceFile, lines: list[str]) -> None:
        state = library.translation_state(section_id, language)
        if state is TranslationState.STALE:
            line = _find_line(lines, "source_sha256") or 1
            if source.source_sha256:
                self.warning(relative, line, "stale",
                             "the English text changed since this translation was made (source_sha256 "
                             "no longer matches); update the translation and its source_sha256")
            else:
                self.warning(relative, line, "stale",
                             "no source_sha256 in the front matter: nobody can tell which English text "
                             "this translates")
        elif state is TranslationState.UNREVIEWED:
            self.warning(relative, _find_line(lines, "reviewed") or 1, "unreviewed",
                         "not yet reviewed by the medical team (reviewed: false)")

    def _body(self, relative: str, source: SourceFile, lines: list[str], language: str,
              manifest: Manifest) -> None:
        start = source.body_first_line
        if len(source.title) > MAX_TITLE_CHARS:
            self.error(relative, start - 1, "title-too-long",
                       f"the title has {len(source.title)} characters (limit {MAX_TITLE_CHARS})")
        # Checked before the text reaches Python-Markdown: an over-limit page could hang or crash it.
        breach = scan_markdown(source.body)
        if breach is not None:
            line = start + breach.line - 1 if breach.line else None
            self.error(relative, line, breach.code, f"over a content limit: {breach.message}")
            return
        result = render_markdown(source.body, language, manifest.section_ids, image_exists=lambda _: True)
        if result.refused is not None:
            self.error(relative, None, result.refused.code, f"over a content limit: {result.refused.message}")
            return
        occurrences: Counter[str] = Counter()
        for problem in result.problems:
            refused = _REFUSED.match(problem)
            placeholder = _PLACEHOLDER.match(problem)
            if refused:
                kind, value = refused.group(1), _unrepr(refused.group(2))
                occurrences[value] += 1
                line = _find_line(lines, value, start, occurrences[value]) or start
                if kind == "image":
                    self._image(relative, line, value, "image")
                elif _looks_internal(value):
                    target = value.removeprefix(f"{SECTION_SCHEME}:").removesuffix(".md").split("#")[0]
                    self.error(relative, line, "broken-link",
                               f"link to section '{target}', which is not in {MANIFEST_NAME}")
                else:
                    self.error(relative, line, "refused-link",
                               f"link {value!r} will not open on a kiosk (only links to other sections do)")
            elif placeholder:
                value = _unrepr(placeholder.group(1))
                self.error(relative, _find_line(lines, value, start) or start, "placeholder",
                           f"unknown placeholder {value} (known: {{{{price EUR 150}}}})")
            elif problem.startswith("raw HTML"):
                for number, text in enumerate(lines, start=1):
                    if number >= start and _RAW_HTML.search(text):
                        self.error(relative, number, "raw-html",
                                   "raw HTML is removed on a kiosk; use Markdown instead")
            else:
                self.error(relative, start, "render", problem)
        for image in result.images:
            self._image(relative, _find_line(lines, image, start) or start, image, "image")
        if not result.html.strip():
            self.error(relative, start, "empty-section", "the section has no text")


def _looks_internal(href: str) -> bool:
    value = href.strip()
    return value.startswith(f"{SECTION_SCHEME}:") or (value.endswith(".md") and ":" not in value)


def _unrepr(text: str) -> str:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _find_line(lines: list[str], needle: str, start: int = 1, occurrence: int = 1) -> int | None:
    """1-based line of the ``occurrence``-th line at or after ``start`` containing ``needle``."""
    found = 0
    for number in range(max(start, 1), len(lines) + 1):
        if needle in lines[number - 1]:
            found += 1
            if found == occurrence:
                return number
    return None

