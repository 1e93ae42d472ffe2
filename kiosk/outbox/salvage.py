"""Every envelope that can still be read from a damaged outbox, without writing to it.

Works on a private copy: the database file with the write-ahead log replayed by hand. SQLite itself stops
replaying a WAL at the first frame whose checksum fails and then ignores every later commit; here each
frame that belongs to the log's current generation (its salts match) is applied up to the last commit,
so one damaged frame costs at most the rows on that page. Rows are then read in one pass, or row by row
when a damaged page breaks the pass, and each envelope is checked against the SHA-256 stored beside it:
what is exported is exactly what the patient's request was sealed to.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kiosk.outbox.inspection import HEADER_BYTES, SQLITE_MAGIC, companion
from kiosk.outbox.store import DELIVERED, Envelope

WAL_MAGICS = (0x377F0682, 0x377F0683)
WAL_HEADER = 32
FRAME_HEADER = 24
DEFAULT_PAGE_SIZE = 4096  # SQLite's, and the outbox's
ROW_BY_ROW_LIMIT = 1_000_000  # rowids probed when the table cannot be read in one pass

_COLUMNS = "id, reference, created_at, state, sealed, sealed_sha256"


@dataclass
class SalvageResult:
    source: Path
    envelopes: list[Envelope] = field(default_factory=list)
    damaged_envelopes: int = 0  # rows found whose envelope no longer matches its checksum
    unreadable: bool = False  # the request table could not be found at all
    row_by_row: bool = False
    wal_frames_applied: int = 0
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = [f"{len(self.envelopes)} readable envelope(s)"]
        if self.damaged_envelopes:
            parts.append(f"{self.damaged_envelopes} damaged envelope(s) not exported")
        parts += self.notes
        return "; ".join(parts)


def salvage(database: Path) -> SalvageResult:
    """Read the undelivered envelopes of the outbox at ``database`` (and its ``-wal``), changing nothing."""
    result = SalvageResult(database)
    with tempfile.TemporaryDirectory(prefix="kiosk-salvage-") as scratch:
        copy = Path(scratch) / "outbox.sqlite3"
        try:
            shutil.copyfile(database, copy)
        except OSError as error:
            result.unreadable = True
            result.notes.append(f"cannot read {database}: {error}")
            return result
        wal = companion(database, "-wal")
        if wal.exists():
            try:
                result.wal_frames_applied = _replay_wal(wal, copy)
            except OSError as error:
                result.notes.append(f"write-ahead log unreadable: {error}")
        _read_envelopes(copy, result)
    return result


def _replay_wal(wal: Path, copy: Path) -> int:
    data = wal.read_bytes()
    if len(data) < WAL_HEADER:
        return 0
    magic, _version, page_size, _sequence, salt1, salt2 = struct.unpack(">6I", data[:24])
    if magic not in WAL_MAGICS or page_size < 512 or page_size & (page_size - 1):
        return 0
    frames: list[tuple[int, bytes, int]] = []
    offset = WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(data):
        page_number, commit_size, frame_salt1, frame_salt2 = struct.unpack(">4I", data[offset:offset + 16])
        if (frame_salt1, frame_salt2) != (salt1, salt2):
            break  # a frame left over from an earlier generation of the log: the log ends here
        page = data[offset + FRAME_HEADER:offset + FRAME_HEADER + page_size]
        frames.append((page_number, page, commit_size))
        offset += FRAME_HEADER + page_size
    last_commit = max((index for index, frame in enumerate(frames) if frame[2]), default=-1)
    if last_commit < 0:
        return 0
    with copy.open("r+b") as handle:
        for page_number, page, _commit in frames[:last_commit + 1]:
            if page_number:
                handle.seek((page_number - 1) * page_size)
                handle.write(page)
        handle.truncate(frames[last_commit][2] * page_size)
    return last_commit + 1


def _read_envelopes(copy: Path, result: SalvageResult) -> None:
    if not _repair_header(copy, result):
        return
    connection = sqlite3.connect(f"file:{quote(str(copy))}?mode=ro&immutable=1", uri=True)
    connection.text_factory = _lenient_text  # a damaged byte in a text must not cost the row's envelope
    try:
        try:
            rows = connection.execute(f"SELECT {_COLUMNS} FROM requests").fetchall()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
            if "no such table" in str(error) or "not a database" in str(error):
                result.unreadable = True
                result.notes.append("the request table cannot be found")
                return
            result.row_by_row = True
            result.notes.append(f"read row by row ({error})")
            rows = _rows_one_by_one(connection)
    finally:
        connection.close()
    for request_id, reference, created_at, state, sealed, digest in rows:
        if state == DELIVERED or sealed is None:
            continue
        data = bytes(sealed)
        if not isinstance(digest, str) or hashlib.sha256(data).hexdigest() != digest:
            result.damaged_envelopes += 1
            continue
        result.envelopes.append(Envelope(str(request_id), str(reference), float(created_at), data, digest))
    result.envelopes.sort(key=lambda envelope: envelope.created_at)


def _lenient_text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _repair_header(copy: Path, result: SalvageResult) -> bool:
    """Put back the magic string and a sane page size when those were overwritten; False if hopeless."""
    with copy.open("r+b") as handle:
        header = handle.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not header.strip(b"\x00"):
            result.unreadable = True
            result.notes.append("nothing but zero bytes: nothing can be read")
            return False
        page_size = int.from_bytes(header[16:18], "big")
        if not header.startswith(SQLITE_MAGIC):
            handle.seek(0)
            handle.write(SQLITE_MAGIC)
            result.notes.append("the file's header was damaged and was repaired in the copy")
        if page_size == 1:
            page_size = 65536
        elif page_size < 512 or page_size & (page_size - 1):
            page_size = DEFAULT_PAGE_SIZE
            handle.seek(16)
            handle.write(page_size.to_bytes(2, "big"))
        # A truncated file: SQLite refuses every read when the header promises more pages than there are.
        # Zero pages in their place fail alone, so the rows on the pages that remain can still be read.
        promised = int.from_bytes(header[28:32], "big") * page_size
        size = handle.seek(0, 2)
        if promised > size:
            handle.truncate(promised)
            result.notes.append(f"truncated: {promised - size} bytes missing")
    return True


def _rows_one_by_one(connection: sqlite3.Connection) -> list[tuple]:
    try:
        top = int(connection.execute("SELECT MAX(rowid) FROM requests").fetchone()[0] or 0)
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        top = 0
    if top <= 0:
        try:
            pages = int(connection.execute("PRAGMA page_count").fetchone()[0])
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            return []
        top = pages * 64  # more rows than fit on the file's pages
    rows = []
    for rowid in range(1, min(top, ROW_BY_ROW_LIMIT) + 1):
        try:
            row = connection.execute(f"SELECT {_COLUMNS} FROM requests WHERE rowid = ?", (rowid,)).fetchone()
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            continue
        if row is not None:
            rows.append(row)
    return rows
