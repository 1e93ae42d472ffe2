"""The receiver's SQLite store: each Idempotency-Key is stored once.

A request is first *reserved* (state 'processing', with the envelope's SHA-256) in one short
transaction, then opened and *completed*. The reservation is what makes the answers to repeats exact:
a repeat while the first is still processing gets 409, a repeat after completion gets the original
receipt, and a different envelope under the same key gets 422. A reservation whose process died is taken
over after ``stale_after`` seconds, so a crash cannot block a key forever.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

NEW = "new"
DUPLICATE = "duplicate"
IN_FLIGHT = "in_flight"
CONFLICT = "conflict"


@dataclass(frozen=True)
class Reservation:
    outcome: str  # NEW | DUPLICATE | IN_FLIGHT | CONFLICT
    receipt: str | None = None


@dataclass(frozen=True)
class ReceivedRequest:
    id: str
    reference: str
    kiosk_id: str
    created_at: str
    received_at: float
    receipt: str
    source: str
    request_json: str


class ReceiverStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=10
        )
        try:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=FULL")
            self._connection.execute("PRAGMA secure_delete=ON")
            self._connection.execute(
                """
                CREATE TABLE IF NOT EXISTS received (
                    id              TEXT PRIMARY KEY,      -- the Idempotency-Key
                    envelope_sha256 TEXT NOT NULL,
                    state           TEXT NOT NULL CHECK (state IN ('processing', 'stored')),
                    started_at      REAL NOT NULL,
                    kiosk_id        TEXT,
                    reference       TEXT,
                    created_at      TEXT,
                    received_at     REAL,
                    receipt         TEXT,
                    source          TEXT,
                    request_json    TEXT
                )
                """
            )
        except sqlite3.Error:
            self._connection.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> ReceiverStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def reserve(self, request_id: str, envelope_sha256: str, stale_after: float = 60.0) -> Reservation:
        now = time.time()
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                row = self._connection.execute(
                    "SELECT state, envelope_sha256, receipt, started_at FROM received WHERE id = ?",
                    (request_id,),
                ).fetchone()
                if row is None:
                    self._connection.execute(
                        "INSERT INTO received (id, envelope_sha256, state, started_at)"
                        " VALUES (?, ?, 'processing', ?)",
                        (request_id, envelope_sha256, now),
                    )
                    result = Reservation(NEW)
                elif row[1] != envelope_sha256:
                    result = Reservation(CONFLICT)
                elif row[0] == "stored":
                    result = Reservation(DUPLICATE, row[2])
                elif now - row[3] > stale_after:
                    self._connection.execute(
                        "UPDATE received SET started_at = ? WHERE id = ?", (now, request_id)
                    )
                    result = Reservation(NEW)
                else:
                    result = Reservation(IN_FLIGHT)
                self._connection.execute("COMMIT")
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
        return result

    def complete(
        self,
        request_id: str,
        *,
        kiosk_id: str,
        reference: str,
        created_at: str,
        receipt: str,
        source: str,
        request_json: str,
    ) -> None:
        with self._lock:
            self._connection.execute(
                "UPDATE received SET state = 'stored', kiosk_id = ?, reference = ?, created_at = ?,"
                " received_at = ?, receipt = ?, source = ?, request_json = ? WHERE id = ?",
                (kiosk_id, reference, created_at, time.time(), receipt, source, request_json, request_id),
            )

    def release(self, request_id: str) -> None:
        """Drop a reservation whose request turned out to be unusable."""
        with self._lock:
            self._connection.execute(
                "DELETE FROM received WHERE id = ? AND state = 'processing'", (request_id,)
            )

    def abandon_in_flight(self) -> int:
        """At start-up: reservations left by a previous process can never complete; drop them so the
        kiosks' resends are accepted at once instead of getting 409 until they go stale."""
        with self._lock:
            cursor = self._connection.execute("DELETE FROM received WHERE state = 'processing'")
            return cursor.rowcount

    def state_of(self, request_id: str) -> str | None:
        """'processing', 'stored', or None for a key never seen."""
        with self._lock:
            row = self._connection.execute(
                "SELECT state FROM received WHERE id = ?", (request_id,)
            ).fetchone()
        return None if row is None else str(row[0])

    def stored(self) -> list[ReceivedRequest]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT id, reference, kiosk_id, created_at, received_at, receipt, source, request_json"
                " FROM received WHERE state = 'stored' ORDER BY received_at"
            ).fetchall()
        return [ReceivedRequest(*row) for row in rows]

    def count(self) -> int:
        with self._lock:
            return int(
                self._connection.execute("SELECT COUNT(*) FROM received WHERE state = 'stored'").fetchone()[0]
            )
