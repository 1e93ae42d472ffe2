"""A count of committed requests kept apart from the outbox database, so that losing rows is noticed.

SQLite cannot tell that something is missing: a damaged WAL frame makes SQLite stop replaying the log at
that frame, and every request committed after it is gone while ``integrity_check`` still says "ok". A
truncated, emptied or older copy of the file looks like a healthy, smaller queue. The database counts
every request it commits (``facts.committed``, in the same transaction as the row) and this file holds
the same count, written after each commit; the next start compares the two.

The file is tiny JSON, replaced atomically. When it cannot be written (full or read-only disk) the
count is kept in memory and written at the next chance: losing the ledger must never stop a request.

What this cannot see: the database and the ledger replaced or rolled back together (a restored backup
of the whole data folder); a request committed in the instant between its commit and the ledger write
and then lost with the same crash (at most one request, the last).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from kiosk.bundle.fsutil import read_regular_file, write_atomic

log = logging.getLogger(__name__)

LEDGER_FORMAT = 1
# The ledger is one short JSON object; a file far larger is not one.
LEDGER_MAX_BYTES = 64 * 1024


class LedgerError(ValueError):
    """The ledger file exists but is not a ledger this code wrote."""


@dataclass(frozen=True)
class LedgerEntry:
    generation: str  # identifies one outbox database from its creation; a replaced file has another
    committed: int  # requests ever committed to that database


def new_generation() -> str:
    return str(uuid.uuid4())


class Ledger:
    """The committed-request count for the outbox at ``path``. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._unwritten: LedgerEntry | None = None

    def read(self) -> LedgerEntry | None:
        """The last entry recorded (in memory if it could not be written yet); None: no ledger."""
        with self._lock:
            if self._unwritten is not None:
                return self._unwritten
        try:
            text = read_regular_file(self.path, LEDGER_MAX_BYTES).decode("utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise LedgerError(f"cannot read {self.path}: {error}") from error
        try:
            data = json.loads(text)
            if data.get("format") != LEDGER_FORMAT:
                raise LedgerError(f"{self.path}: unknown format {data.get('format')!r}")
            generation, committed = data["generation"], data["committed"]
        except (ValueError, AttributeError, KeyError) as error:
            raise LedgerError(f"{self.path} is damaged: {error}") from error
        if not isinstance(generation, str) or type(committed) is not int or committed < 0:
            raise LedgerError(f"{self.path} is damaged: wrong field types")
        return LedgerEntry(generation, committed)

    def record(self, entry: LedgerEntry) -> bool:
        """Remember ``entry``; True when it reached the disk, False when it waits in memory."""
        with self._lock:
            self._unwritten = entry
            return self._flush_locked()

    def flush(self) -> bool:
        """Write an entry that waited in memory; True when nothing is left waiting."""
        with self._lock:
            return self._flush_locked()

    def _flush_locked(self) -> bool:
        entry = self._unwritten
        if entry is None:
            return True
        data = {"format": LEDGER_FORMAT, "generation": entry.generation, "committed": entry.committed}
        try:
            write_atomic(self.path, json.dumps(data).encode("utf-8"))
        except OSError as error:
            log.warning("outbox ledger kept in memory until it can be written: %s", error)
            return False
        self._unwritten = None
        return True
