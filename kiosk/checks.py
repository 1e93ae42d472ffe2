"""``kiosk check``: load the content and render every section in every language, offscreen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtGui import QTextDocument

from kiosk.bundle.library import ContentLibrary, TranslationState
from kiosk.config import Config
from kiosk.i18n.languages import language_info


@dataclass
class CheckReport:
    content_root: Path
    bundle_id: str
    version: int
    languages: list[dict] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pages_rendered: int = 0

    def summary(self) -> str:
        verdict = "ok" if not self.problems else f"{len(self.problems)} problem(s)"
        return (f"{self.bundle_id} v{self.version}: {len(self.sections)} sections, "
                f"{len(self.languages)} languages, {self.pages_rendered} pages rendered: {verdict}")

    def as_json(self) -> dict:
        return {
            "content": str(self.content_root),
            "bundle_id": self.bundle_id,
            "version": self.version,
            "languages": self.languages,
            "sections": self.sections,
            "pages_rendered": self.pages_rendered,
            "problems": self.problems,
            "ok": not self.problems,
        }


def run_check(config: Config, content_dir: Path | None = None) -> CheckReport:
    from kiosk.app import ensure_application, resolve_content_dir

    ensure_application()
    library = ContentLibrary(resolve_content_dir(config, content_dir))
    report = CheckReport(library.root, library.manifest.bundle_id, library.manifest.version,
                         sections=list(library.section_ids))
    enabled: list[str] = list(config["languages.enabled"])
    for code in enabled:
        info = language_info(code)
        states = {sid: library.translation_state(sid, code).value for sid in library.section_ids}
        report.languages.append({"code": code, "name": info.native_name, "direction": info.direction,
                                 "sections": states})
        for section_id, state in states.items():
            if state == TranslationState.MISSING.value:
                report.problems.append(f"{code}/{section_id}.md: missing translation")
            elif state == TranslationState.STALE.value:
                report.problems.append(f"{code}/{section_id}.md: stale (the English text changed since)")
    for code in library.languages():
        if code not in enabled:
            continue
        for section_id in library.section_ids:
            page = library.page(section_id, code)
            report.problems.extend(page.problems if not page.fallback else ())
            report.problems.extend(_render_problems(library, page.html, f"{code}/{section_id}.md"))
            report.pages_rendered += 1
    for section_id in library.section_ids:
        entry = next(s for s in library.manifest.sections if s.id == section_id)
        if entry.icon and library.resolve_asset(entry.icon) is None:
            report.problems.append(f"manifest.toml: icon of '{section_id}' not found: {entry.icon}")
    # The same file can be reported from several languages' fallbacks; list each once, in order.
    report.problems = list(dict.fromkeys(report.problems))
    return report


def _render_problems(library: ContentLibrary, html: str, where: str) -> list[str]:
    document = QTextDocument()
    document.setHtml(html)
    problems = []
    if not document.toPlainText().strip():
        problems.append(f"{where}: renders as an empty page")
    return problems
