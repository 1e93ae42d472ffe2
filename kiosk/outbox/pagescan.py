"""Request rows found by reading SQLite pages directly, for salvage when SQLite cannot reach them.

A damaged first page (the schema) or a damaged interior page of the request table cuts SQLite off from
every row below it, although the leaf pages that hold the rows are intact. Here every page (of the file,
and every page image in the write-ahead log) that looks like a table leaf is read cell by cell, and each
record with the request table's shape is returned; salvage accepts only envelopes whose SHA-256 matches
the checksum stored beside them, so a misread cell can never become a wrong envelope.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable

TABLE_LEAF = 0x0D
REQUEST_COLUMNS = 12  # kiosk.outbox.store's requests table
# Positions in that table: id, reference, created_at, state, ..., sealed, sealed_sha256.
ID, REFERENCE, CREATED_AT, STATE, SEALED, SEALED_SHA256 = 0, 1, 2, 3, 10, 11

Row = tuple[str, str, float, str, bytes | None, str]


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    value = 0
    for index in range(9):
        byte = data[offset + index]
        if index == 8:
            return (value << 8) | byte, offset + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, offset + index + 1
    raise IndexError("varint")  # pragma: no cover - the loop always returns


def _payload(page: bytes, offset: int, usable: int, page_at: Callable[[int], bytes | None]) -> bytes:
    size, offset = _varint(page, offset)
    _rowid, offset = _varint(page, offset)
    most = usable - 35
    if size <= most:
        return page[offset:offset + size]
    least = (usable - 12) * 32 // 255 - 23
    local = least + (size - least) % (usable - 4)
    local = local if local <= most else least
    parts = [page[offset:offset + local]]
    remaining = size - local
    next_page = struct.unpack(">I", page[offset + local:offset + local + 4])[0]
    seen = set()
    while remaining > 0:
        if next_page in seen:
            raise ValueError("overflow chain loops")
        seen.add(next_page)
        overflow = page_at(next_page)
        if overflow is None:
            raise ValueError("overflow page missing")
        chunk = overflow[4:4 + min(remaining, usable - 4)]
        parts.append(chunk)
        remaining -= len(chunk)
        next_page = struct.unpack(">I", overflow[:4])[0]
    return b"".join(parts)


def _record(payload: bytes) -> list[object]:
    header_size, offset = _varint(payload, 0)
    types = []
    while offset < header_size:
        serial, offset = _varint(payload, offset)
        types.append(serial)
    values: list[object] = []
    body = header_size
    for serial in types:
        if serial == 0:
            values.append(None)
        elif serial in (8, 9):
            values.append(serial - 8)
        elif 1 <= serial <= 6:
            width = (1, 2, 3, 4, 6, 8)[serial - 1]
            values.append(int.from_bytes(payload[body:body + width], "big", signed=True))
            body += width
        elif serial == 7:
            values.append(struct.unpack(">d", payload[body:body + 8])[0])
            body += 8
        elif serial >= 12:
            width = (serial - 12) // 2
            chunk = payload[body:body + width]
            if len(chunk) != width:
                raise ValueError("record runs past its payload")
            values.append(chunk if serial % 2 == 0 else chunk.decode("utf-8", errors="replace"))
            body += width
        else:
            raise ValueError("reserved serial type")
    return values


def request_rows(pages: Iterable[bytes], usable: int, page_at: Callable[[int], bytes | None]) -> list[Row]:
    """Every record shaped like a request row on the table-leaf pages among ``pages``."""
    rows = []
    for page in pages:
        if not page or page[0] != TABLE_LEAF:
            continue
        count = int.from_bytes(page[3:5], "big")
        for index in range(count):
            try:
                pointer = int.from_bytes(page[8 + 2 * index:10 + 2 * index], "big")
                values = _record(_payload(page, pointer, usable, page_at))
            except (IndexError, ValueError, struct.error):
                continue  # a damaged cell: the others on the page are still read
            if len(values) != REQUEST_COLUMNS:
                continue
            request_id, reference, created_at, state = values[ID], values[REFERENCE], values[CREATED_AT], values[STATE]
            sealed, digest = values[SEALED], values[SEALED_SHA256]
            if not (isinstance(request_id, str) and isinstance(reference, str) and isinstance(state, str)
                    and isinstance(created_at, (int, float)) and isinstance(digest, str)):
                continue
            rows.append((request_id, reference, float(created_at), state,
                         sealed if isinstance(sealed, bytes) else None, digest))
    return rows
