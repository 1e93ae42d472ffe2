"""Opening the kiosk's outbox: checked first, quarantined if damaged, never overwritten.

``open_outbox`` is what the kiosk calls; ``check_outbox`` is the same judgement without side effects,
for ``kiosk health`` and ``kiosk outbox status`` (which may run beside a kiosk that owns the files).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from kiosk.outbox.events import record_event
from kiosk.outbox.inspection import Condition, Inspection, inspect_outbox
from kiosk.outbox.ledger import Ledger, LedgerError
from kiosk.outbox.quarantine import QuarantinedSet, QuarantineError, complete, pending_sets, quarantine
from kiosk.outbox.reserve import SpaceReserve
from kiosk.outbox.store import SCHEMA_VERSION, Outbox, OutboxError

log = logging.getLogger(__name__)

LEDGER_FILE = "outbox.ledger.json"
RESERVE_FILE = "outbox.reserve"


class OutboxUnavailable(OutboxError):
    """The outbox cannot take requests; ``inspection`` says why (and the message, in words for staff)."""

    def __init__(self, inspection: Inspection) -> None:
        super().__init__(inspection.reason)
        self.inspection = inspection


def ledger_path(outbox_path: Path) -> Path:
    return outbox_path.with_name(LEDGER_FILE)


def reserve_path(outbox_path: Path) -> Path:
    return outbox_path.with_name(RESERVE_FILE)


def real_outbox_path(path: Path) -> Path:
    """``path`` with symbolic links resolved.

    SQLite follows a link to the database and keeps its write-ahead log beside the target; the inspection,
    the ledger and the quarantine must look at the same files, or a damaged log beside the target goes
    unseen and only the link is moved aside.
    """
    return Path(path).resolve()


def check_outbox(path: Path, *, record_ledger_damage: bool = False) -> Inspection:
    """The outbox's condition, counting a quarantine staff have not yet dealt with. Changes nothing, except
    that the kiosk itself (``record_ledger_damage``) notes a damaged ledger in outbox-events.log."""
    path = real_outbox_path(path)
    pending = pending_sets(path)
    if pending:
        first = pending[0]
        condition = Condition.LOST if first.condition == Condition.LOST.value else Condition.DAMAGED
        more = f" (and {len(pending) - 1} more)" if len(pending) > 1 else ""
        return Inspection(condition, f"{first.reason}; the files were moved to {first.folder}{more}: export what "
                                     "can be salvaged with 'kiosk outbox export', then 'kiosk outbox acknowledge'",
                          expected=first.expected)
    try:
        entry = Ledger(ledger_path(path)).read()
    except LedgerError as error:
        log.error("%s; the outbox is checked without it and the ledger written again", error)
        if record_ledger_damage:
            record_event(path, "ledger_damaged", reason=str(error))
        entry = None
    return inspect_outbox(path, entry, schema_version=SCHEMA_VERSION)


def open_outbox(
    path: Path,
    public_key_b64: str | None,
    *,
    reserve_bytes: int = 0,
    max_bytes: int | None = None,
    clock: Callable[[], float] | None = None,
) -> Outbox:
    """The kiosk's outbox, ready for requests; ``OutboxUnavailable`` when it must not be used.

    A damaged file, or one from which requests went missing, is moved to quarantine (when the folder
    allows it) so that nothing ever writes to it again; the kiosk then takes no requests until staff
    have exported what can be salvaged and acknowledged it.
    """
    path = real_outbox_path(path)
    inspection = check_outbox(path, record_ledger_damage=True)
    if not inspection.condition.usable:
        pending = pending_sets(path)
        if pending:
            _finish_interrupted_quarantine(path, pending[-1])
        elif inspection.condition.quarantined:
            record_event(path, inspection.condition.value, reason=inspection.reason, expected=inspection.expected,
                         rows_seen=inspection.rows, missing=inspection.missing)
            try:
                folder = quarantine(path, ledger_path(path), inspection)
            except QuarantineError as error:
                inspection = replace(inspection, reason=f"{inspection.reason} ({error}; left in place, unchanged)")
            else:
                record_event(path, "quarantined", folder=str(folder))
                inspection = replace(inspection, reason=f"{inspection.reason}; the files were moved to {folder}")
        raise OutboxUnavailable(inspection)
    try:
        return Outbox(path, public_key_b64, ledger=Ledger(ledger_path(path)),
                      reserve=SpaceReserve(reserve_path(path), reserve_bytes), max_bytes=max_bytes,
                      clock=clock or time.time)
    except OutboxUnavailable:
        raise
    except OutboxError as error:
        # Found fit a moment ago, and yet SQLite refuses it (a disk error, a lock held elsewhere).
        raise OutboxUnavailable(Inspection(Condition.UNWRITABLE, str(error))) from error


def _finish_interrupted_quarantine(path: Path, newest: QuarantinedSet) -> None:
    # Files still in place while a set waits were left by a crash in the middle of ``quarantine`` (nothing
    # else creates them while the kiosk refuses requests): they belong with the database already moved, or
    # salvage would read it without its write-ahead log.
    try:
        moved = complete(path, ledger_path(path), newest.folder)
    except OSError as error:
        log.error("cannot finish moving the damaged outbox to %s: %s", newest.folder, error)
        return
    if moved:
        record_event(path, "quarantine_completed", folder=str(newest.folder), files=moved)

