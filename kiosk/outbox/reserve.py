"""Disk space set aside so that delivery can go on when the disk is full.

SQLite needs a few free pages for every write, even one that makes the database smaller: the write-ahead
log grows first. On a full disk the sender could then neither mark a request as being sent nor record the
hospital's receipt, and delivery (the only thing that frees space, by erasing delivered envelopes) would
stop. The reserve is a file of real, allocated blocks next to the outbox; the outbox deletes it when a
delivery write finds the disk full, and takes the space back once there is room for it twice over.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path

log = logging.getLogger(__name__)


class SpaceReserve:
    """``size`` bytes held at ``path``. ``size`` 0 disables it."""

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = max(0, int(size))
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        try:
            return self.path.stat().st_size >= self.size > 0
        except OSError:
            return False

    def ensure(self) -> bool:
        """Hold the reserve if it is missing and the disk has room for it twice; True when held."""
        if self.size == 0:
            return False
        with self._lock:
            if self.held:
                return True
            try:
                if shutil.disk_usage(self.path.parent).free < 2 * self.size:
                    return False
                self._allocate()
            except OSError as error:
                log.info("outbox reserve not taken back yet: %s", error)
                self.path.unlink(missing_ok=True)
                return False
            return True

    def _allocate(self) -> None:
        descriptor = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
        try:
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(descriptor, 0, self.size)  # real blocks: a sparse file frees nothing
            else:  # pragma: no cover - Windows
                os.write(descriptor, bytes(self.size))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def release(self) -> bool:
        """Give the space back to the file system; True if there was a reserve to give."""
        with self._lock:
            try:
                self.path.unlink()
            except FileNotFoundError:
                return False
            except OSError as error:
                log.error("cannot release the outbox reserve: %s", error)
                return False
            return True
