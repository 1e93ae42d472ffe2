"""Which member names a bundle may contain.

A name is checked as text, before anything touches the disk: forward slashes only, relative, no ``.``,
``..`` or empty parts, no drive letters, no control characters, and only the kinds of files a content
folder has. Windows and macOS kiosks compare names without case (and macOS without Unicode
normalisation), so two names that differ only that way are duplicates.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

ALLOWED_SUFFIXES = frozenset({".md", ".toml", ".png", ".jpg", ".jpeg", ".svg", ".webp"})
MAX_NAME_LENGTH = 200
_DRIVE = re.compile(r"^[A-Za-z]:")
_FORBIDDEN_CHARS = re.compile(r'[\x00-\x1f\x7f\\:*?"<>|]')


def name_problem(name: str) -> str | None:
    """Why ``name`` is not acceptable as a bundle member, or None when it is."""
    if not name:
        return "empty name"
    if len(name) > MAX_NAME_LENGTH:
        return "name too long"
    if "\\" in name:
        return "backslash in name"
    if name.startswith("/"):
        return "absolute path"
    if _DRIVE.match(name):
        return "drive letter"
    if _FORBIDDEN_CHARS.search(name):
        return "forbidden character in name"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "'.', '..' or empty path component"
    if any(part.startswith(".") or part.endswith((" ", ".")) for part in parts):
        return "hidden or ill-formed path component"
    if PurePosixPath(name).suffix.lower() not in ALLOWED_SUFFIXES:
        return "file type not allowed in a bundle"
    return None


def collision_key(name: str) -> str:
    """Key under which two names land on the same file on a case-insensitive file system."""
    return unicodedata.normalize("NFC", name).casefold()
