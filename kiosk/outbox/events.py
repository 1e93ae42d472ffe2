"""``outbox-events.log``: one JSON line per thing that happened to the outbox itself (for IT).

Damage found, files quarantined, requests found missing, the disk reserve used, staff acknowledging a
quarantine. Best effort: a full or read-only disk must not turn a report into a second failure, so the
same event is always logged as well.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EVENTS_FILE = "outbox-events.log"
READ_LIMIT = 1024 * 1024  # the tail that is read back: the file is appended to for years
_NO_WAIT = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def events_path(outbox_path: Path) -> Path:
    return outbox_path.with_name(EVENTS_FILE)


def record_event(outbox_path: Path, kind: str, **details: Any) -> None:
    event = {"at": time.time(), "event": kind, **details}
    log.warning("outbox event %s: %s", kind, details)
    line = (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        # Without blocking and only into a regular file: a pipe in its place must not hold the kiosk.
        fd = os.open(events_path(outbox_path), os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NO_WAIT, 0o600)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(f"{EVENTS_FILE} is not a regular file")
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError as error:
        log.error("cannot write %s: %s", EVENTS_FILE, error)


def read_events(outbox_path: Path) -> list[dict[str, Any]]:
    """The recorded events, oldest first (damaged lines are skipped)."""
    path = events_path(outbox_path)
    try:
        fd = os.open(path, os.O_RDONLY | _NO_WAIT)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return []
            size = os.lseek(fd, 0, os.SEEK_END)
            os.lseek(fd, max(0, size - READ_LIMIT), os.SEEK_SET)
            text = os.read(fd, READ_LIMIT).decode("utf-8", errors="replace")
        finally:
            os.close(fd)
    except OSError:
        return []
    events = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events
