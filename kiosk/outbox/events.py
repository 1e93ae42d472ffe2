"""``outbox-events.log``: one JSON line per thing that happened to the outbox itself (for IT).

Damage found, files quarantined, requests found missing, the disk reserve used, staff acknowledging a
quarantine. Best effort: a full or read-only disk must not turn a report into a second failure, so the
same event is always logged as well.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EVENTS_FILE = "outbox-events.log"
READ_LIMIT = 1024 * 1024  # the tail that is read back: the file is appended to for years


def events_path(outbox_path: Path) -> Path:
    return outbox_path.with_name(EVENTS_FILE)


def record_event(outbox_path: Path, kind: str, **details: Any) -> None:
    event = {"at": time.time(), "event": kind, **details}
    log.warning("outbox event %s: %s", kind, details)
    try:
        with events_path(outbox_path).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(event, ensure_ascii=False) + "\n")
    except OSError as error:
        log.error("cannot write %s: %s", EVENTS_FILE, error)


def read_events(outbox_path: Path) -> list[dict[str, Any]]:
    """The recorded events, oldest first (damaged lines are skipped)."""
    path = events_path(outbox_path)
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - READ_LIMIT))
            text = handle.read().decode("utf-8", errors="replace")
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
