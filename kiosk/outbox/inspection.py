"""Is the outbox file fit to use? Decided before SQLite may write to it.

Opening a damaged database read-write is how evidence is destroyed: the first write rewrites the WAL,
closing the last connection checkpoints and deletes it. So the file is first looked at read-only: its
header, SQLite's own quick check, the schema version, and the counts kept against the ledger
(``kiosk.outbox.ledger``). The result says whether the kiosk may use the file, and if not, why, in
words staff can act on.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from urllib.parse import quote

from kiosk.outbox.ledger import LedgerEntry

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_BYTES = 100
COUNTS_SINCE = 2  # the schema version that added facts.generation, .committed and .purged (kiosk.outbox.store)


class Condition(Enum):
    NEW = "new"  # no outbox yet and none expected: a fresh one may be created
    HEALTHY = "healthy"
    UNWRITABLE = "unwritable"  # the file is fine but the kiosk cannot write (read-only data folder)
    NEWER = "newer"  # written by a newer kiosk: leave it for that version
    DAMAGED = "damaged"  # SQLite cannot read it as it is
    LOST = "lost"  # it reads, but requests the ledger counted are gone

    @property
    def usable(self) -> bool:
        return self in (Condition.NEW, Condition.HEALTHY)

    @property
    def quarantined(self) -> bool:
        """Whether the kiosk moves the file aside instead of ever opening it for writing."""
        return self in (Condition.DAMAGED, Condition.LOST)


@dataclass(frozen=True)
class Inspection:
    condition: Condition
    reason: str = ""
    rows: int | None = None  # request rows SQLite can see
    committed: int | None = None  # what the database says it committed
    expected: int | None = None  # what the ledger says was committed
    generation: str | None = None

    @property
    def missing(self) -> int:
        """Requests committed that can no longer be found (0 when unknown)."""
        if self.expected is None:
            return 0
        return max(0, self.expected - (self.committed or 0))


def companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def inspect_outbox(path: Path, ledger: LedgerEntry | None, *, schema_version: int) -> Inspection:
    """Look at the outbox file at ``path`` without changing it."""
    expected = None if ledger is None else ledger.committed
    wal = companion(path, "-wal")
    strange = _not_regular(path) or _not_regular(wal)
    if strange:
        # A pipe or device in the outbox's place would block the first read (and SQLite) forever.
        return Inspection(Condition.DAMAGED, f"{strange.name} is not a regular file", expected=expected)
    size = _size(path)
    if size == 0 and _size(wal) == 0:
        if expected:
            what = "is missing" if not path.exists() else "is empty"
            return Inspection(Condition.LOST, f"the outbox file {what}, but {expected} request(s) were stored in it",
                              rows=0, committed=0, expected=expected)
        return Inspection(Condition.NEW, expected=expected)
    if not path.exists():
        return Inspection(Condition.LOST, "the outbox file is missing; only its write-ahead log is left",
                          rows=0, committed=0, expected=expected)
    try:
        with path.open("rb") as handle:
            header = handle.read(HEADER_BYTES)
    except OSError as error:
        return Inspection(Condition.DAMAGED, f"the outbox file cannot be read: {error}", expected=expected)
    if not header.startswith(SQLITE_MAGIC):
        kind = "only zero bytes" if not header.strip(b"\x00") else "not an SQLite database"
        return Inspection(Condition.DAMAGED, f"the outbox file is damaged: {kind}", expected=expected)
    truncated = _truncation(header, size, wal)
    if truncated:
        return Inspection(Condition.DAMAGED, truncated, expected=expected)
    try:
        found = _read_counts(path, wal)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        # SQLite's own message quotes the damaged schema text, which need not be UTF-8 any more.
        return Inspection(Condition.DAMAGED, f"the outbox file is damaged: {error}", expected=expected)
    if isinstance(found, str):
        return Inspection(Condition.DAMAGED, f"the outbox file is damaged: {found}", expected=expected)
    version, rows, facts = found
    if version > schema_version:
        return Inspection(Condition.NEWER, f"the outbox was written by a newer kiosk (schema {version})",
                          rows=rows, expected=expected)
    inspection = _compare(rows, facts, ledger, counted=version >= COUNTS_SINCE)
    if inspection.condition is Condition.HEALTHY and not _writable(path):
        return Inspection(Condition.UNWRITABLE, f"the data folder {path.parent} is read-only", rows=rows,
                          committed=inspection.committed, expected=expected, generation=inspection.generation)
    return inspection


def _compare(rows: int, facts: dict[str, object], ledger: LedgerEntry | None, *, counted: bool) -> Inspection:
    generation = facts.get("generation")
    committed = facts.get("committed")
    purged = facts.get("purged")
    expected = None if ledger is None else ledger.committed
    if not isinstance(committed, int) or not isinstance(purged, int) or not isinstance(generation, str):
        if counted:  # the schema has the counts, so they were there: the file was changed behind the kiosk
            return Inspection(Condition.DAMAGED, "the outbox file is damaged: its request counts are missing",
                              rows=rows, expected=expected)
        # A file from before the counts existed: the migration gives it counts on the first write.
        if expected:
            return Inspection(Condition.LOST, f"the outbox holds no record of the {expected} request(s) stored",
                              rows=rows, expected=expected)
        return Inspection(Condition.HEALTHY, rows=rows, expected=expected)
    found = Inspection(Condition.HEALTHY, rows=rows, committed=committed, expected=expected, generation=generation)
    if rows + purged < committed:
        return _lost(found, f"{committed - purged - rows} request(s) are missing from the outbox")
    if ledger is None:
        return found
    if ledger.generation != generation:
        return _lost(found, "the outbox file was replaced by a different one "
                            f"({ledger.committed} request(s) were stored in the one before)")
    if committed < ledger.committed:
        return _lost(found, f"{ledger.committed - committed} of {ledger.committed} stored request(s) are "
                            "missing (the outbox file was damaged, truncated or replaced by an older copy)")
    return found


def _lost(found: Inspection, reason: str) -> Inspection:
    return Inspection(Condition.LOST, reason, rows=found.rows, committed=found.committed, expected=found.expected,
                      generation=found.generation)


def _read_counts(path: Path, wal: Path) -> tuple[int, int, dict[str, object]] | str:
    """Schema version, request rows and facts, read-only; a string says what is wrong."""
    connection = _open_read_only(path, wal)
    try:
        # integrity_check, not quick_check: a damaged byte in a request's id leaves the table readable and
        # only its index disagrees, which quick_check does not look at. The outbox is small (envelopes are
        # erased on delivery, rows purged), so the full check costs milliseconds.
        check = [row[0] for row in connection.execute("PRAGMA integrity_check(5)").fetchall()]
        if check != ["ok"]:
            return "; ".join(str(item) for item in check)
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        if version == 0 and not tables:
            return version, 0, {}
        if not {"requests", "facts"} <= tables:
            return f"tables missing (found {sorted(tables)})"
        rows = int(connection.execute("SELECT COUNT(*) FROM requests").fetchone()[0])
        damaged_row = _damaged_row(connection)
        if damaged_row:
            return damaged_row
        facts = dict(connection.execute("SELECT name, value FROM facts").fetchall())
        return version, rows, facts
    finally:
        connection.close()


def _damaged_row(connection: sqlite3.Connection) -> str:
    """Why a request row cannot be delivered as stored, or "".

    SQLite's checks see the structure of the file, not the values in it: a damaged byte inside an envelope,
    or one that leaves a text that is no longer UTF-8, passes them; the envelope would then fail at the
    hospital, or the row would stop every read of the queue.
    """
    rows = connection.execute(
        "SELECT rowid, CAST(id AS BLOB), CAST(reference AS BLOB), CAST(state AS BLOB), typeof(sealed),"
        " CAST(sealed AS BLOB), CAST(sealed_sha256 AS BLOB), typeof(created_at), typeof(next_attempt_at)"
        " FROM requests"
    )
    for rowid, *texts, sealed_type, sealed, digest, created_type, due_type in rows:
        try:
            request_id, _reference, state = (bytes(text or b"").decode("utf-8") for text in texts)
            digest_text = bytes(digest or b"").decode("ascii")
        except UnicodeDecodeError:
            return f"request row {rowid} holds damaged text"
        if state not in _STATES:
            return f"request row {rowid} ({request_id}) has an unknown state"
        if {created_type, due_type} - {"real", "integer"}:
            return f"request row {rowid} ({request_id}) holds a damaged time"
        if state == "delivered":
            continue
        if sealed_type != "blob" or hashlib.sha256(bytes(sealed)).hexdigest() != digest_text:
            return f"the envelope of request {request_id} does not match its checksum"
    return ""


_STATES = ("queued", "sending", "delivered", "needs_attention")  # kiosk.outbox.store.STATES (imports this module)


def _open_read_only(path: Path, wal: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        connection.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchall()
        return connection
    except sqlite3.OperationalError:
        if wal.exists():
            raise
    # A read-only folder where SQLite cannot create the shared-memory file: with no WAL left there is
    # nothing it would need it for, and the file can be read as immutable.
    return sqlite3.connect(uri + "&immutable=1", uri=True)


def _truncation(header: bytes, size: int, wal: Path) -> str:
    """Why the file is shorter than its own header says, or ""."""
    if len(header) < HEADER_BYTES:
        return f"the outbox file is truncated ({size} bytes)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The header's page count is valid only when its change counter matches (bytes 24 and 92); with a WAL,
    # newer pages may live there instead of the file.
    if header[24:28] == header[92:96] and pages and size < pages * page_size and _size(wal) == 0:
        return f"the outbox file is truncated ({size} of {pages * page_size} bytes)"
    return ""


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _not_regular(path: Path) -> Path | None:
    try:
        mode = path.stat().st_mode  # followed: a link to the real file is fine, one to a pipe is not
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else path


def _writable(path: Path) -> bool:
    # os.access also reports a read-only mount (EROFS), which matters because the kiosk may run as root.
    return os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)
