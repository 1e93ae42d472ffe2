"""Damaged outbox files, moved aside whole and kept until staff have carried their requests out.

A quarantined set is a folder ``outbox-quarantine/<UTC time>/`` beside the outbox, holding the database,
its WAL and shared-memory files and the ledger exactly as they were, and ``reason.json`` (why, when, how
many requests were expected). Nothing here ever opens those files for writing: salvage works on copies
(``kiosk.outbox.salvage``). While a set is not acknowledged the kiosk takes no new requests, so staff
notice; ``kiosk outbox acknowledge`` (after ``kiosk outbox export``) lets a fresh outbox start.
"""

from __future__ import annotations

import json
import logging
import os
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiosk.bundle.fsutil import fsync_dir, read_regular_file, write_atomic
from kiosk.outbox.inspection import Inspection, companion

log = logging.getLogger(__name__)

REASON_FILE = "reason.json"
# What the kiosk writes is well under a kilobyte; anything far larger is not its reason file.
REASON_MAX_BYTES = 64 * 1024
SUFFIXES = ("", "-wal", "-shm")


class QuarantineError(OSError):
    """The damaged files could not be moved aside (read-only folder); they were left untouched."""


@dataclass(frozen=True)
class QuarantinedSet:
    folder: Path
    database: Path
    reason: str
    condition: str
    quarantined_at: float
    expected: int | None
    acknowledged: bool


def quarantine_root(outbox_path: Path) -> Path:
    return outbox_path.with_name("outbox-quarantine")


def quarantine(outbox_path: Path, ledger_path: Path, inspection: Inspection, *, now: float | None = None) -> Path:
    """Move the outbox files and the ledger into a new quarantine folder; return it."""
    now = time.time() if now is None else now
    root = quarantine_root(outbox_path)
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
    folder: Path | None = None
    moved: list[str] = []
    try:
        root.mkdir(mode=0o700, exist_ok=True)
        folder = _new_folder(root, stamp)
        reason = {
            "reason": inspection.reason,
            "condition": inspection.condition.value,
            "quarantined_at": now,
            "expected": inspection.expected,
            "rows_seen": inspection.rows,
            "acknowledged": False,
        }
        # The reason first: a crash halfway leaves a folder that says what it is, and the next start moves
        # the files still in place into it (``complete``).
        write_atomic(folder / REASON_FILE, json.dumps(reason, indent=2).encode("utf-8"))
        moved = complete(outbox_path, ledger_path, folder)
    except OSError as error:
        if folder is not None and not moved:
            # Nothing was moved: no set is left behind that would hide the files still in place.
            with suppress(OSError):
                (folder / REASON_FILE).unlink(missing_ok=True)
                folder.rmdir()
        raise QuarantineError(f"could not move the damaged outbox aside: {error}") from error
    log.error("outbox quarantined in %s: %s", folder, inspection.reason)
    return folder


def leftovers(outbox_path: Path, ledger_path: Path) -> list[Path]:
    """The outbox's files still in place (a quarantine interrupted by a crash leaves some)."""
    files = [companion(outbox_path, suffix) for suffix in SUFFIXES] + [ledger_path]
    return [path for path in files if path.exists() or path.is_symlink()]


def complete(outbox_path: Path, ledger_path: Path, folder: Path) -> list[str]:
    """Move the outbox's files still in place into the quarantine ``folder``; the names moved.

    A name already in the folder is left where it is (it is a different file: never overwrite evidence).
    """
    moved = []
    for source in leftovers(outbox_path, ledger_path):
        target = folder / source.name
        if target.exists() or target.is_symlink():
            continue
        os.replace(source, target)
        moved.append(source.name)
    if moved:
        fsync_dir(folder)
        fsync_dir(outbox_path.parent)
    return moved


def _new_folder(root: Path, stamp: str) -> Path:
    for number in range(1000):
        folder = root / (stamp if number == 0 else f"{stamp}-{number}")
        try:
            folder.mkdir(mode=0o700)
            return folder
        except FileExistsError:
            continue
    raise QuarantineError(f"no free quarantine folder name in {root}")  # pragma: no cover


def quarantined_sets(outbox_path: Path) -> list[QuarantinedSet]:
    """Every quarantined set beside ``outbox_path``, oldest first."""
    root = quarantine_root(outbox_path)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        try:
            data = json.loads(read_regular_file(folder / REASON_FILE, REASON_MAX_BYTES))
        except (OSError, ValueError):
            data = {"reason": "quarantined (its reason file cannot be read)"}
        if not isinstance(data, dict):
            data = {"reason": "quarantined (its reason file is damaged)"}
        found.append(_read_set(folder, outbox_path.name, data))
    return found


def _read_set(folder: Path, database_name: str, data: dict) -> QuarantinedSet:
    # The reason file may itself be damaged: any field of the wrong type is read as unknown, never raised.
    expected = data.get("expected")
    stamp = data.get("quarantined_at")
    return QuarantinedSet(
        folder=folder,
        database=folder / database_name,
        reason=str(data.get("reason", "")),
        condition=str(data.get("condition", "damaged")),
        quarantined_at=float(stamp) if isinstance(stamp, int | float) and not isinstance(stamp, bool) else 0.0,
        expected=expected if type(expected) is int else None,
        acknowledged=data.get("acknowledged") is True,
    )


def pending_sets(outbox_path: Path) -> list[QuarantinedSet]:
    return [item for item in quarantined_sets(outbox_path) if not item.acknowledged]


def acknowledge(item: QuarantinedSet, *, now: float | None = None) -> None:
    """Staff have taken what could be salvaged: a fresh outbox may start. The files stay for forensics."""
    path = item.folder / REASON_FILE
    try:
        data = json.loads(read_regular_file(path, REASON_MAX_BYTES))
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except (OSError, ValueError):
        data = {"reason": item.reason}
    data["acknowledged"] = True
    data["acknowledged_at"] = time.time() if now is None else now
    write_atomic(path, json.dumps(data, indent=2).encode("utf-8"))
