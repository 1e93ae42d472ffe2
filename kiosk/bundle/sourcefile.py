"""One section's Markdown file: optional front matter, title line, body.

Translated files start with a small front matter block recording what they translate and whether the
medical team has reviewed them::

    ---
    source_sha256: 3f2a...   (hash of the English file this text translates)
    reviewed: false
    ---
    # Title
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SourceFile:
    path: Path
    front_matter: dict[str, str] = field(default_factory=dict)
    title: str = ""
    body: str = ""
    body_first_line: int = 1

    @property
    def source_sha256(self) -> str:
        return self.front_matter.get("source_sha256", "").strip().lower()

    @property
    def reviewed(self) -> bool:
        # English originals carry no front matter; they are the reviewed reference.
        value = self.front_matter.get("reviewed")
        return True if value is None else value.strip().lower() in {"true", "yes", "1"}


def parse_source(text: str, path: Path) -> SourceFile:
    lines = text.replace("\r\n", "\n").split("\n")
    front: dict[str, str] = {}
    start = 0
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                for raw in lines[1:index]:
                    key, sep, value = raw.partition(":")
                    if sep:
                        front[key.strip()] = value.strip()
                start = index + 1
                break
    while start < len(lines) and not lines[start].strip():
        start += 1
    title = ""
    if start < len(lines) and lines[start].startswith("# "):
        title = lines[start][2:].strip()
        start += 1
    return SourceFile(path, front, title, "\n".join(lines[start:]), start + 1)


def read_source(path: Path) -> SourceFile:
    return parse_source(path.read_text(encoding="utf-8"), path)
