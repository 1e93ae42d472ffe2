"""Durable file-system steps: what must reach the disk before the next step may rely on it.

``os.replace`` is atomic, but without an fsync of the file before it and of the folder after it a power
cut can leave the new name pointing at empty data. Windows cannot open folders for fsync; there NTFS
journaling is what we rely on.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path


def fsync_dir(path: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new content, never a mix."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        with temporary.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_dir(path.parent)


def fsync_tree(root: Path) -> None:
    """fsync every folder under ``root`` (files are synced as they are written)."""
    for folder, _, _ in os.walk(root, topdown=False):
        fsync_dir(Path(folder))


def remove_tree(path: Path) -> None:
    """Delete a file or folder if present; never follows a symlink out of it."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path)


def file_sha256(path: Path) -> str:
    """The file's SHA-256 (hex), read a megabyte at a time: bundles can be large."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
