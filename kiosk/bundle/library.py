"""The content library: what each section says in each language, rendered once and cached.

A section missing in a language, or whose text goes over a content limit, falls back to the default
language's text and says so (``Page.fallback``). The widgets decide how to show the notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from kiosk.bundle.assetcheck import asset_problem
from kiosk.bundle.contentlimits import MAX_TITLE_CHARS
from kiosk.bundle.fsutil import file_sha256
from kiosk.bundle.manifest import Manifest, load_manifest
from kiosk.bundle.sourcefile import SourceFile, read_source

MAX_IMAGE_BYTES = 5 * 1024 * 1024


class TranslationState(Enum):
    OK = "ok"
    MISSING = "missing"
    STALE = "stale"
    UNREVIEWED = "unreviewed"


@dataclass(frozen=True)
class Page:
    section_id: str
    language: str  # the language the text is actually in
    requested_language: str
    title: str
    html: str
    fallback: bool  # the requested language had no text for this section
    unreviewed: bool
    problems: tuple[str, ...]
    links: tuple[str, ...] = ()  # the sections the page links to, in the order they appear, each once


class ContentLibrary:
    """Read-only view of one content folder (a bundle's source or an installed bundle)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.manifest: Manifest = load_manifest(self.root)
        self._pages: dict[tuple[str, str], Page] = {}
        self._sources: dict[tuple[str, str], SourceFile | None] = {}
        self._original_hashes: dict[str, str] = {}
        self._asset_verdicts: dict[Path, tuple[tuple[int, int], bool]] = {}

    # --- facts ---------------------------------------------------------------------------------------
    @property
    def default_language(self) -> str:
        return self.manifest.default_language

    @property
    def section_ids(self) -> tuple[str, ...]:
        return self.manifest.section_ids

    def languages(self) -> list[str]:
        """Languages with at least one section file, default language first."""
        found = sorted(
            child.name for child in self.root.iterdir()
            if child.is_dir() and any((child / f"{sid}.md").is_file() for sid in self.section_ids)
        )
        if self.default_language in found:
            found.remove(self.default_language)
            found.insert(0, self.default_language)
        return found

    def icon_path(self, section_id: str) -> Path | None:
        for entry in self.manifest.sections:
            if entry.id == section_id and entry.icon:
                path = self.resolve_asset(entry.icon)
                return path
        return None

    def resolve_asset(self, relative: str) -> Path | None:
        """Absolute path of a picture inside the content folder, or None if outside, missing, too big, or
        not safe to hand to Qt (``assetcheck``: an SVG that references anything, a file of another type)."""
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        stat = candidate.stat()
        if stat.st_size > MAX_IMAGE_BYTES:
            return None
        # The verdict is kept while the file is unchanged: the check reads and parses the whole file.
        version = (stat.st_size, stat.st_mtime_ns)
        known = self._asset_verdicts.get(candidate)
        if known is None or known[0] != version:
            try:
                safe = asset_problem(relative, candidate.read_bytes()) is None
            except OSError:
                return None
            known = (version, safe)
            self._asset_verdicts[candidate] = known
        return candidate if known[1] else None

    def source(self, section_id: str, language: str) -> SourceFile | None:
        key = (section_id, language)
        if key not in self._sources:
            path = self.root / language / f"{section_id}.md"
            self._sources[key] = read_source(path) if path.is_file() else None
        return self._sources[key]

    def translation_state(self, section_id: str, language: str) -> TranslationState:
        source = self.source(section_id, language)
        if source is None:
            return TranslationState.MISSING
        if language == self.default_language:
            return TranslationState.OK
        original_hash = self._original_sha256(section_id)
        if original_hash and source.source_sha256 != original_hash:
            return TranslationState.STALE
        return TranslationState.OK if source.reviewed else TranslationState.UNREVIEWED

    def _original_sha256(self, section_id: str) -> str:
        """Hash of the default-language file, read once: every translation of the section compares to it."""
        if section_id not in self._original_hashes:
            original = self.root / self.default_language / f"{section_id}.md"
            self._original_hashes[section_id] = file_sha256(original) if original.is_file() else ""
        return self._original_hashes[section_id]

    def _text_source(self, section_id: str, language: str) -> tuple[str, SourceFile | None]:
        """The language a section is shown in and its file: the requested one, else the default language."""
        source = self.source(section_id, language)
        if source is not None and (source.title or source.body.strip()):
            return language, source
        return self.default_language, self.source(section_id, self.default_language)

    # --- pages ---------------------------------------------------------------------------------------
    def title(self, section_id: str, language: str) -> str:
        # Read from the file's first line, not the rendered page: the home screen needs every title at
        # start-up, before any page is rendered.
        _shown_language, source = self._text_source(section_id, language)
        return _bounded(source.title) if source is not None and source.title else section_id

    def page(self, section_id: str, language: str) -> Page:
        key = (section_id, language)
        if key not in self._pages:
            self._pages[key] = self._render(section_id, language)
        return self._pages[key]

    def _render(self, section_id: str, language: str) -> Page:
        if section_id not in self.section_ids:
            raise KeyError(f"no section {section_id!r} in {self.root}")
        used_language, _source = self._text_source(section_id, language)
        return self._render_from(section_id, language, used_language)

    def _render_from(self, section_id: str, language: str, used_language: str) -> Page:
        source = self.source(section_id, used_language)
        if source is None:
            return Page(section_id, used_language, language, section_id, "", True, False,
                        (f"{section_id}: no text in any language",))
        # Imported on first use: Markdown, the sanitiser and Babel's number formats are not needed for the
        # first frame (the attract screen and the topic titles).
        from kiosk.bundle.render import render_markdown

        rendered = render_markdown(
            source.body, used_language, self.section_ids,
            image_exists=lambda relative: self.resolve_asset(relative) is not None,
        )
        problems = tuple(f"{source.path.name} ({used_language}): {problem}" for problem in rendered.problems)
        if rendered.refused is not None and used_language != self.default_language:
            # Too big or too deep to show: the default language's text, with the usual note, beats a blank page.
            original = self.page(section_id, self.default_language)  # rendered once, shared by every fallback
            return Page(section_id, original.language, language, original.title, original.html, True,
                        original.unreviewed, problems + original.problems, original.links)
        if rendered.refused is None and not rendered.html.strip():
            problems += (f"{source.path.name} ({used_language}): empty section",)
        return Page(
            section_id=section_id,
            language=used_language,
            requested_language=language,
            title=_bounded(source.title) or section_id,
            html=rendered.html,
            fallback=used_language != language,
            unreviewed=not source.reviewed,
            problems=problems,
            links=tuple(dict.fromkeys(link for link in rendered.links if link != section_id)),
        )


def _bounded(title: str) -> str:
    """A title over the limit (an error for the validator) is cut, so a label never lays out megabytes."""
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1] + "\u2026"
