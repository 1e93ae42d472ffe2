"""Durable file-system steps: what must reach the disk before the next step may rely on it.

``os.replace`` is atomic, but without an fsync of the file before it and of the folder after it a power
cut can leave the new name pointing at empty data. Windows cannot open folders for fsync; there NTFS
journaling is what we rely on.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
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


def read_regular_file(path: Path, limit: int | None = 1024 * 1024) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (None: any size); OSError for anything else.

    A named pipe or device put where a state file belongs would block a plain read forever (and hold the
    kiosk's start-up with it); a huge file would fill the memory. Opened without blocking, checked, read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        if limit is not None and info.st_size > limit:
            raise OSError(f"{path} is larger than {limit} bytes")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read() if limit is None else handle.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise OSError(f"{path} is larger than {limit} bytes")
        return data
    finally:
        os.close(fd)


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
