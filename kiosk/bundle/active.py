"""Which installed bundle is active, read without the store's verification machinery.

The kiosk decides what to show before its first frame, and the full ``BundleStore`` brings signature and
archive code that start-up does not need. ``BundleStore.active_root`` calls ``content_for`` and takes its
folder names from here, so both read ``state.json`` by one rule: the last activated bundle, unless its
folder is missing or the shipped content is newer. A damaged state file is left to the store, which can
rebuild it from the installed folders.
"""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.bundle.manifest import ManifestError, load_manifest

STATE_FILE = "state.json"
VERSIONS_DIR = "versions"
CONTENT_DIR = "content"


class StateUnreadable(RuntimeError):
    pass


def version_of(name: str) -> int | None:
    head = name.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def active_name(root: Path) -> str | None:
    """Name of the active bundle (``None``: nothing installed). Raises StateUnreadable on damage."""
    path = root / STATE_FILE
    if not path.exists():
        return None
    try:
        history = json.loads(path.read_text(encoding="utf-8")).get("history", [])
        return str(history[-1]) if history else None
    except (OSError, ValueError, TypeError, AttributeError) as error:
        raise StateUnreadable(f"{path}: {error}") from error


def content_for(root: Path, name: str | None, shipped: Path | None) -> Path | None:
    """Content folder of bundle ``name``, or None where the shipped content is to be shown instead."""
    if name is None:
        return None
    content = root / VERSIONS_DIR / name / CONTENT_DIR
    if not content.is_dir():
        return None
    version = version_of(name)
    if shipped is not None and version is not None:
        try:
            if load_manifest(shipped).version > version:
                return None  # the app was upgraded with newer content than the installed bundle
        except ManifestError:
            pass
    return content
