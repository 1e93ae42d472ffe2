"""The voice's last known state, in a small file the health report reads (``kiosk health``, the admin
screen and the Prometheus file run in other processes or modules and cannot ask the voice itself)."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk import paths

log = logging.getLogger(__name__)

STATUS_FILE = "speech-status.json"


@dataclass(frozen=True)
class SpeechStatus:
    available: bool
    engine: str
    reason: str  # why there is no voice; "" when there is one
    checked_at: float


def status_path() -> Path:
    return paths.home_dir() / STATUS_FILE


def write_status(*, available: bool, engine: str, reason: str = "") -> None:
    """Replace the file in one step, so a reader never sees half of it. A failure is logged, not raised:
    the health note must not take the voice (or the kiosk) down with it."""
    from kiosk.bundle.fsutil import write_atomic

    path = status_path()
    record = {"available": available, "engine": engine, "reason": reason, "checked_at": time.time()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(record).encode("utf-8"))
    except OSError as error:
        log.warning("speech status not written (%s)", type(error).__name__)


def read_status() -> SpeechStatus | None:
    """The last state a kiosk wrote, or None when none was written (or the file cannot be understood)."""
    try:
        record = json.loads(status_path().read_text(encoding="utf-8"))
        return SpeechStatus(bool(record["available"]), str(record.get("engine", "")),
                            str(record.get("reason", "")), float(record.get("checked_at", 0.0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None
