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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kiosk.bundle.fsutil import read_regular_file
from kiosk.outbox.inspection import HEADER_BYTES, SQLITE_MAGIC, companion
from kiosk.outbox.pagescan import request_rows
from kiosk.outbox.store import DELIVERED, Envelope

WAL_MAGICS = (0x377F0682, 0x377F0683)
WAL_HEADER = 32
FRAME_HEADER = 24
DEFAULT_PAGE_SIZE = 4096  # SQLite's, and the outbox's
PAD_LIMIT = 16 * 1024 * 1024  # bytes of zero pages a truncated copy may be padded with, beyond its size
ROW_BY_ROW_LIMIT = 1_000_000  # rowids probed when the table cannot be read in one pass

# The envelope as raw bytes even when damage changed its stored type to text.
_COLUMNS = "id, reference, created_at, state, CAST(sealed AS BLOB), sealed_sha256"


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
        wal = companion(database, "-wal")
        try:
            if database.exists() or not wal.exists():
                shutil.copyfile(database, copy)
            else:
                # Only the log is left: it holds every page written since the last checkpoint, often all.
                copy.write_bytes(b"")
                result.notes.append("the database file is missing: read from its write-ahead log alone")
        except OSError as error:
            result.unreadable = True
            result.notes.append(f"cannot read {database}: {error}")
            return result
        frames: list[Frame] = []
        if wal.exists():
            try:
                frames = _wal_frames(read_regular_file(wal, limit=None))
                result.wal_frames_applied = _replay(frames, copy, copy.stat().st_size)
            except OSError as error:
                result.notes.append(f"write-ahead log unreadable: {error}")
        seen = _read_envelopes(copy, result)
        _scan_pages(copy, frames, seen, result)
    return result


Frame = tuple[int, bytes, int]  # page number, page image, database size in pages when it ends a commit


def _wal_frames(data: bytes) -> list[Frame]:
    """The frames of the log's current generation, in order; a frame whose header is damaged is left out."""
    if len(data) < WAL_HEADER:
        return []
    magic, _version, page_size, _sequence, salt1, salt2 = struct.unpack(">6I", data[:24])
    if magic not in WAL_MAGICS or page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        page_size = DEFAULT_PAGE_SIZE  # a damaged log header: the frames themselves say which salts are current
        salt1, salt2 = struct.unpack(">2I", data[WAL_HEADER + 8:WAL_HEADER + 16]) if len(data) > 48 else (0, 0)
    size = FRAME_HEADER + page_size
    headers = [struct.unpack(">4I", data[offset:offset + 16])
               for offset in range(WAL_HEADER, len(data) - size + 1, size)]
    current = [index for index, header in enumerate(headers) if (header[2], header[3]) == (salt1, salt2)]
    if not current:
        return []
    frames = []
    # Frames left from an earlier generation of the log come after the last current one; a current frame
    # with damaged salts between two good ones is only that frame lost, not the rest of the log.
    for index in range(current[-1] + 1):
        page_number, commit_size, frame_salt1, frame_salt2 = headers[index]
        if (frame_salt1, frame_salt2) != (salt1, salt2):
            continue
        offset = WAL_HEADER + index * size + FRAME_HEADER
        frames.append((page_number, data[offset:offset + page_size], commit_size))
    return frames


def _replay(frames: list[Frame], copy: Path, size: int) -> int:
    if not frames:
        return 0
    # The database cannot have more pages than the file and the log hold: a larger size in a frame is damage
    # (and truncating the copy to it would make a file of terabytes).
    limit = size // len(frames[0][1]) + len(frames)
    last_commit = max((index for index, frame in enumerate(frames) if 0 < frame[2] <= limit), default=-1)
    if last_commit < 0:
        return 0
    with copy.open("r+b") as handle:
        for page_number, page, _commit in frames[:last_commit + 1]:
            if 0 < page_number <= limit:  # a damaged page number would overwrite a page that is fine
                handle.seek((page_number - 1) * len(page))
                handle.write(page)
        handle.truncate(frames[last_commit][2] * len(frames[last_commit][1]))
    return last_commit + 1


def _scan_pages(copy: Path, frames: list[Frame], seen: set[str], result: SalvageResult) -> None:
    """Add envelopes only a direct read of the pages finds (the schema or an interior page is damaged)."""
    with copy.open("rb") as handle:
        header = handle.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES:
            return
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        reserved = header[20]
        if page_size < 512 or page_size & (page_size - 1):
            page_size, reserved = DEFAULT_PAGE_SIZE, 0  # the first page is damaged: the outbox's own sizes
        usable = page_size - reserved

        def page_at(number: int) -> bytes | None:
            if number <= 0:
                return None
            handle.seek((number - 1) * page_size)
            page = handle.read(page_size)
            return page if len(page) == page_size else None

        def pages() -> Iterator[bytes]:
            number = 2
            while (page := page_at(number)) is not None:
                yield page
                number += 1
            yield from (page for page_number, page, _commit in frames if page_number != 1)

        rows = request_rows(pages(), usable, page_at)
    found: dict[str, Envelope] = {}
    delivered: set[str] = set()
    for request_id, reference, created_at, state, sealed, digest in rows:
        if request_id in seen:
            continue
        if state == DELIVERED:
            delivered.add(request_id)  # any version saying so wins: an older one may still hold the envelope
        elif sealed is not None and hashlib.sha256(sealed).hexdigest() == digest:
            found.setdefault(request_id, Envelope(request_id, reference, created_at, sealed, digest))
    extra = [envelope for request_id, envelope in found.items() if request_id not in delivered]
    if extra:
        result.envelopes = sorted(result.envelopes + extra, key=lambda envelope: envelope.created_at)
        result.notes.append(f"{len(extra)} found by reading the pages directly")


def _read_envelopes(copy: Path, result: SalvageResult) -> set[str]:
    """Read the rows SQLite can reach; the ids of every row seen, whatever its state."""
    if not _repair_header(copy, result):
        return set()
    connection = sqlite3.connect(f"file:{quote(str(copy))}?mode=ro&immutable=1", uri=True)
    connection.text_factory = _lenient_text  # a damaged byte in a text must not cost the row's envelope
    try:
        try:
            rows = connection.execute(f"SELECT {_COLUMNS} FROM requests").fetchall()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
            if "no such table" in str(error) or "not a database" in str(error):
                result.unreadable = True
                result.notes.append("the request table cannot be found")
                return set()
            result.row_by_row = True
            result.notes.append(f"read row by row ({error})")
            rows = _rows_one_by_one(connection)
    finally:
        connection.close()
    seen = set()
    for request_id, reference, created_at, state, sealed, digest in rows:
        seen.add(str(request_id))
        if state == DELIVERED or sealed is None:
            continue
        data = bytes(sealed)
        if not isinstance(digest, str) or hashlib.sha256(data).hexdigest() != digest:
            result.damaged_envelopes += 1
            continue
        result.envelopes.append(Envelope(str(request_id), str(reference), _time(created_at), data, digest))
    result.envelopes.sort(key=lambda envelope: envelope.created_at)
    return seen


def _time(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0  # a damaged creation time: the envelope is intact and still goes out


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
        # Not beyond twice the size: a damaged page count could promise terabytes.
        if size < promised <= 2 * size + PAD_LIMIT:
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
