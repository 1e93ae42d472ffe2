"""Where the admin screen's USB actions read and write: the configured folder, or a mounted stick."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

# Where desktop automounters (udisks) put removable media: /media/<user>/<label>, /run/media/<user>/<label>.
MOUNT_PATTERNS: tuple[str, ...] = ("/media/*/*", "/run/media/*/*")


def find_usb_folder(configured: str, patterns: Sequence[str] = MOUNT_PATTERNS) -> Path | None:
    """The configured folder if set (even if absent: staff then read why), else the first writable
    mounted folder, in name order so that the same stick is chosen every time."""
    if configured.strip():
        return Path(configured).expanduser()
    for pattern in patterns:
        anchor = Path(pattern.split("*", 1)[0])
        relative = pattern[len(str(anchor)):].lstrip("/")
        try:
            candidates = sorted(anchor.glob(relative))
        except OSError:
            continue
        for candidate in candidates:
            if candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK):
                return candidate
    return None


def bundle_files(folder: Path) -> list[Path]:
    """``*.kbundle`` files directly in ``folder``, newest first (by modification time, then name)."""
    try:
        files = [path for path in folder.glob("*.kbundle") if path.is_file()]
    except OSError:
        return []
    return sorted(files, key=lambda path: (path.stat().st_mtime, path.name), reverse=True)
