"""Which files of a content folder make up a bundle: one scan shared by ``validate`` and ``build``.

A bundle is ``manifest.toml``, ``<language>/<section>.md`` and images under ``assets/``. Hidden files
(``.DS_Store``, editor backups, ``.git``) are skipped silently; anything else is reported so staff know it
will not travel. Symlinks are never followed: a bundle must not pick up files from outside its folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kiosk.bundle.manifest import MANIFEST_NAME
from kiosk.bundle.render import IMAGE_SUFFIXES

ASSETS_DIR = "assets"
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_IGNORED_NAMES = {"thumbs.db", "desktop.ini"}


@dataclass
class ContentScan:
    files: list[str] = field(default_factory=list)  # go into the bundle, sorted
    ignored: list[str] = field(default_factory=list)  # present but not part of a bundle
    symlinks: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # top-level folders other than assets


def scan_content(root: Path) -> ContentScan:
    scan = ContentScan()
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(folder)
        relative_base = PurePosixPath(base.relative_to(root).as_posix())
        for name in list(dirnames):
            if name.startswith("."):
                dirnames.remove(name)
            elif (base / name).is_symlink():
                dirnames.remove(name)
                scan.symlinks.append(_join(relative_base, name))
            elif relative_base == PurePosixPath(".") and name != ASSETS_DIR:
                scan.languages.append(name)
        for name in filenames:
            if name.startswith(".") or name.lower() in _IGNORED_NAMES:
                continue
            relative = _join(relative_base, name)
            if (base / name).is_symlink():
                scan.symlinks.append(relative)
            elif _belongs(PurePosixPath(relative)):
                scan.files.append(relative)
            else:
                scan.ignored.append(relative)
    scan.files.sort()
    scan.ignored.sort()
    scan.symlinks.sort()
    scan.languages.sort()
    return scan


def _belongs(path: PurePosixPath) -> bool:
    parts = path.parts
    if parts == (MANIFEST_NAME,):
        return True
    if parts[0] == ASSETS_DIR:
        return len(parts) > 1 and path.suffix.lower() in IMAGE_SUFFIXES
    return len(parts) == 2 and path.suffix == ".md"


def _join(base: PurePosixPath, name: str) -> str:
    return name if base == PurePosixPath(".") else f"{base}/{name}"
