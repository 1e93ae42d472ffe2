"""``kiosk bundle status``: which section exists in which language, and how current it is.

The states come from ``ContentLibrary.translation_state`` (the same rules the kiosk uses to decide what a
patient sees), so the table cannot disagree with the screen. Completeness counts only ``ok`` cells:
stale and unreviewed texts still need someone's work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.bundle.layout import LANGUAGE_CODE, scan_content
from kiosk.bundle.library import ContentLibrary, TranslationState


@dataclass(frozen=True)
class StatusReport:
    languages: tuple[str, ...]
    sections: tuple[str, ...]
    states: dict[str, dict[str, TranslationState]]  # section -> language -> state

    def completeness(self, language: str) -> float:
        if not self.sections:
            return 0.0
        ok = sum(self.states[s][language] is TranslationState.OK for s in self.sections)
        return round(100.0 * ok / len(self.sections), 1)

    def to_dict(self) -> dict[str, object]:
        return {
            "languages": list(self.languages),
            "sections": list(self.sections),
            "states": {
                section: {language: state.value for language, state in row.items()}
                for section, row in self.states.items()
            },
            "completeness": {language: self.completeness(language) for language in self.languages},
        }

    def format_table(self) -> str:
        header = ["section", *self.languages]
        rows = [[s, *(self.states[s][lang].value for lang in self.languages)] for s in self.sections]
        footer = ["complete", *(f"{self.completeness(lang):.0f}%" for lang in self.languages)]
        table = [header, *rows, footer]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                 for row in table]
        rule = "  ".join("-" * width for width in widths)
        return "\n".join([lines[0], rule, *lines[1:-1], rule, lines[-1]])


def content_status(root: Path, languages: Sequence[str] | None = None) -> StatusReport:
    """States of every section in the default language, ``languages`` and any language folder present."""
    library = ContentLibrary(root)
    ordered = [library.default_language]
    for language in [*(languages or []), *scan_content(library.root).languages]:
        if language not in ordered and LANGUAGE_CODE.match(language):
            ordered.append(language)
    states = {
        section: {language: library.translation_state(section, language) for language in ordered}
        for section in library.section_ids
    }
    return StatusReport(tuple(ordered), library.section_ids, states)
