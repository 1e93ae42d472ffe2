"""The bundle manifest (``manifest.toml``): identity, version, default language, ordered sections."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

MANIFEST_NAME = "manifest.toml"
_Value = TypeVar("_Value")
_SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class ManifestError(ValueError):
    """The manifest is missing or malformed; the message says which file and what to fix."""


@dataclass(frozen=True)
class SectionEntry:
    id: str
    icon: str


@dataclass(frozen=True)
class Manifest:
    bundle_id: str
    version: int
    default_language: str
    sections: tuple[SectionEntry, ...]

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(section.id for section in self.sections)


def load_manifest(content_root: Path) -> Manifest:
    path = content_root / MANIFEST_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ManifestError(f"{path}: no manifest; a content folder needs {MANIFEST_NAME}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path}: not valid TOML: {error}") from error
    return parse_manifest(data, path)


def parse_manifest(data: dict, path: Path | str = MANIFEST_NAME) -> Manifest:
    def require(key: str, kind: type[_Value]) -> _Value:
        value = data.get(key)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise ManifestError(f"{path}: '{key}' must be a {kind.__name__}")
        return value

    bundle_id = require("id", str)
    version = require("version", int)
    default_language = require("default_language", str)
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise ManifestError(f"{path}: needs at least one [[sections]] table")
    sections: list[SectionEntry] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_sections, start=1):
        section_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(section_id, str) or not _SECTION_ID.match(section_id):
            raise ManifestError(f"{path}: section {index} needs an 'id' of lower-case letters, digits and '-'")
        if section_id in seen:
            raise ManifestError(f"{path}: section id '{section_id}' appears twice")
        seen.add(section_id)
        icon = raw.get("icon", "")
        if not isinstance(icon, str):
            raise ManifestError(f"{path}: section '{section_id}': 'icon' must be a path")
        sections.append(SectionEntry(section_id, icon))
    if version < 1:
        raise ManifestError(f"{path}: 'version' must be 1 or more")
    return Manifest(bundle_id, version, default_language, tuple(sections))
