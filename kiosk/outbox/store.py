"""The durable outbox: sealed consultation requests in SQLite until the hospital confirms them.

Guarantees, and how:

* ``enqueue`` returns only after the sealed request is committed with ``synchronous=FULL`` in WAL mode,
  so pulling the plug right after the patient sees "received" loses nothing. Any SQLite error becomes
  an ``OutboxError`` and the transaction is rolled back: never a false success, never half a row.
* Nothing readable is stored: the request is sealed to the hospital's key before it reaches SQLite.
  After delivery the envelope is set to NULL with ``secure_delete=ON`` (freed bytes are zeroed) and the
  WAL is checkpointed and truncated, so not even ciphertext lingers on disk.
* A request is in exactly one state: queued -> sending -> delivered, or back to queued (retry), or
  needs_attention (the hospital refused it; staff must look). ``requeue_stale_sending`` at start-up turns
  a send interrupted by a crash back into queued; the id doubles as the Idempotency-Key, so the resend
  cannot create a second request at the hospital.

One connection, guarded by a lock, is shared by the GUI thread (enqueue, status) and the sender's worker
thread; every write is short and none happens while a network call is in flight.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from nacl.public import PublicKey

from kiosk import paths
from kiosk.outbox.ledger import Ledger, LedgerEntry, new_generation
from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.reserve import SpaceReserve
from kiosk.outbox.sealing import SealingError, load_public_key, seal_with

QUEUED = "queued"
SENDING = "sending"
DELIVERED = "delivered"
NEEDS_ATTENTION = "needs_attention"
STATES: tuple[str, ...] = (QUEUED, SENDING, DELIVERED, NEEDS_ATTENTION)

# Reference codes patients copy by hand or read out on the phone: no O/0, I/1/L to confuse.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8

_T = TypeVar("_T")
log = logging.getLogger(__name__)

ERROR_MAX = 500  # a hostile server cannot fill the outbox with its error text


class OutboxError(RuntimeError):
    """The outbox could not do what was asked; nothing was changed. The message says why."""


def _disk_full(error: OutboxError) -> bool:
    cause = error.__cause__
    return isinstance(cause, sqlite3.Error) and getattr(cause, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


# --- schema ------------------------------------------------------------------------------------------


def _migration_1(connection: sqlite3.Connection) -> None:
    connection.execute(
        """
        CREATE TABLE requests (
            id              TEXT PRIMARY KEY,       -- UUID4, also the Idempotency-Key
            reference       TEXT NOT NULL UNIQUE,   -- "ABCD-EFGH", shown to the patient
            created_at      REAL NOT NULL,          -- Unix seconds, UTC
            state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered',
                                                           'needs_attention')),
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            last_attempt_at REAL,
            last_error      TEXT,
            delivered_at    REAL,
            receipt         TEXT,
            sealed          BLOB,                   -- NULL once delivered
            sealed_sha256   TEXT NOT NULL
        )
        """
    )
    connection.execute("CREATE INDEX requests_by_state_due ON requests (state, next_attempt_at)")
    connection.execute("CREATE INDEX requests_by_state_created ON requests (state, created_at)")
    # Facts that must outlive the rows they came from (rows are purged after the retention period).
    connection.execute("CREATE TABLE facts (name TEXT PRIMARY KEY, value) WITHOUT ROWID")


def _migration_2(connection: sqlite3.Connection) -> None:
    # The counts the ledger is checked against (kiosk.outbox.ledger): which database this is, how many
    # requests it ever committed and how many delivered ones it forgot. An older file starts from the rows
    # it holds now.
    rows = connection.execute("SELECT COUNT(*) FROM requests").fetchone()[0]
    connection.executemany(
        "INSERT OR IGNORE INTO facts (name, value) VALUES (?, ?)",
        (("generation", new_generation()), ("committed", rows), ("purged", 0)),
    )


# Append only; the index + 1 is the schema version stored in PRAGMA user_version.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migration_1, _migration_2)
SCHEMA_VERSION = len(MIGRATIONS)


# --- values handed out -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedRequest:
    id: str
    reference: str
    created_at: float


@dataclass(frozen=True)
class PendingRequest:
    """A request due for delivery, with its sealed envelope."""

    id: str
    reference: str
    created_at: float
    attempts: int
    sealed: bytes = field(repr=False)
    sealed_sha256: str = ""


@dataclass(frozen=True)
class RequestRecord:
    """Everything stored about a request except the envelope (for staff screens and tests)."""

    id: str
    reference: str
    created_at: float
    state: str
    attempts: int
    next_attempt_at: float
    last_attempt_at: float | None
    last_error: str | None
    delivered_at: float | None
    receipt: str | None
    has_envelope: bool


@dataclass(frozen=True)
class OutboxStatus:
    queued: int
    sending: int
    delivered: int
    needs_attention: int
    oldest_undelivered_at: float | None
    oldest_undelivered_age_seconds: float | None
    last_delivery_at: float | None
    last_error: str | None
    last_error_at: float | None
    checked_at: float

    @property
    def undelivered(self) -> int:
        return self.queued + self.sending + self.needs_attention

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["undelivered"] = self.undelivered
        for key in ("oldest_undelivered_at", "last_delivery_at", "last_error_at", "checked_at"):
            data[key] = format_timestamp(data[key])
        return data


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    manifest: Path
    ids: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.ids)


def format_timestamp(value: float | None) -> str | None:
    """Unix seconds as ISO 8601 UTC with milliseconds (``2026-11-28T09:15:02.123Z``)."""
    if value is None:
        return None
    moment = datetime.fromtimestamp(value, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def format_age(seconds: float) -> str:
    """A duration for staff reading a status: "45 s", "12 min", "3.5 h", "2.0 days"."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def delivery_lines(status: OutboxStatus) -> list[str]:
    """The last delivery and the last error, as ``kiosk outbox status`` and ``kiosk health`` print them."""
    last = status.last_delivery_at
    lines = [f"last delivery: {format_timestamp(last) if last is not None else 'never'}"]
    if status.last_error:
        lines.append(f"last error: {status.last_error} ({format_timestamp(status.last_error_at)})")
    return lines


def format_reference(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def new_reference() -> str:
    return format_reference("".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH)))


# --- the store ---------------------------------------------------------------------------------------


class Outbox:
    """Sealed requests waiting for delivery. Safe to share between threads."""

    def __init__(
        self,
        path: Path | str | None = None,
        public_key_b64: str | None = None,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout_seconds: float = 10.0,
        max_bytes: int | None = None,
        ledger: Ledger | None = None,
        reserve: SpaceReserve | None = None,
    ) -> None:
        """Open (creating if needed) the outbox at ``path``.

        ``public_key_b64`` may be None for tools that only read or export (``kiosk outbox status``);
        ``enqueue`` then refuses. ``max_bytes`` caps the file size, so a flood cannot fill the disk.
        ``ledger`` is told every commit (loss detection); ``reserve`` is disk space given up so that
        delivery can still record its progress when the disk is full. Open a kiosk's outbox with
        ``kiosk.outbox.opening.open_outbox``, which checks the file before SQLite may write to it.
        """
        self.path = Path(path) if path is not None else paths.outbox_db_path()
        self._clock = clock
        self._lock = threading.RLock()
        self._ledger = ledger
        self._reserve = reserve
        self._public_key: PublicKey | None = None
        if public_key_b64 is not None and public_key_b64.strip():
            try:
                self._public_key = load_public_key(public_key_b64)
            except SealingError as error:
                raise OutboxError(f"delivery.hospital_public_key: {error}") from error
        self._connection = self._connect(busy_timeout_seconds, max_bytes)
        self._identity = _file_identity(self.path)
        self._generation, committed = self._counts()
        if self._ledger is not None:
            self._ledger.record(LedgerEntry(self._generation, committed))
        if self._reserve is not None:
            self._reserve.ensure()

    # -- lifecycle --

    def _connect(self, busy_timeout_seconds: float, max_bytes: int | None) -> sqlite3.Connection:
        try:
            self._create_private_file()
            connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_seconds
            )
        except (OSError, sqlite3.Error) as error:
            raise OutboxError(f"cannot open the outbox at {self.path}: {error}") from error
        try:
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise OutboxError(f"cannot use write-ahead logging for {self.path} (got {mode!r})")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA secure_delete=ON")
            if max_bytes is not None:
                page_size = connection.execute("PRAGMA page_size").fetchone()[0]
                connection.execute(f"PRAGMA max_page_count={max(1, int(max_bytes) // page_size)}")
            self._migrate(connection)
        except OutboxError:
            connection.close()
            raise
        except sqlite3.Error as error:
            connection.close()
            raise OutboxError(f"cannot open the outbox at {self.path}: {error}") from error
        return connection

    def _create_private_file(self) -> None:
        # The envelopes are sealed, but metadata (when, how often) is still nobody else's business;
        # SQLite gives its -wal and -shm files the database file's permissions.
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(descriptor)

    def _migrate(self, connection: sqlite3.Connection) -> None:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise OutboxError(
                f"{self.path} was written by a newer kiosk (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); install that version again, or export the outbox with it first"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            connection.execute("BEGIN IMMEDIATE")
            try:
                MIGRATIONS[number - 1](connection)
                connection.execute(f"PRAGMA user_version={number}")
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def _counts(self) -> tuple[str, int]:
        with self._read() as connection:
            facts = dict(connection.execute(
                "SELECT name, value FROM facts WHERE name IN ('generation', 'committed')").fetchall())
        return str(facts["generation"]), int(facts["committed"])

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None  # type: ignore[assignment]
            if self._ledger is not None:
                self._ledger.flush()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._read() as connection:
            return int(connection.execute("PRAGMA user_version").fetchone()[0])

    @property
    def can_enqueue(self) -> bool:
        return self._public_key is not None

    # -- plumbing --

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = self._open_connection()
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise OutboxError(f"could not {what}: {error}") from error
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException as error:
                # A failed COMMIT may already have rolled back, so ROLLBACK itself may fail.
                with suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise OutboxError(f"could not {what}: {error} ({self.path})") from error
                raise

    def _bookkeeping(self, what: str, body: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run a delivery-state write; on a full disk give up the reserve once and try again.

        Only delivery's own records may use the reserve: they are what frees space again (a delivered
        envelope is erased), while a new request on a full disk is refused and the patient told.
        """
        try:
            with self._write(what) as connection:
                return body(connection)
        except OutboxError as error:
            if not (_disk_full(error) and self._reserve is not None and self._reserve.release()):
                raise
        log.warning("the disk is full: released the outbox's reserve to %s", what)
        with self._write(what) as connection:
            return body(connection)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = self._open_connection()
            try:
                yield connection
            except sqlite3.Error as error:
                raise OutboxError(f"could not read the outbox {self.path}: {error}") from error

    def _open_connection(self) -> sqlite3.Connection:
        if self._connection is None:
            raise OutboxError("the outbox is closed")
        return self._connection

    # -- writing --

    def enqueue(self, request: ConsultationRequest) -> QueuedRequest:
        """Seal and durably store ``request``; return its id and the reference for the patient."""
        if self._public_key is None:
            raise OutboxError("cannot accept requests: delivery.hospital_public_key is not configured")
        if _file_identity(self.path) != self._identity:
            # The file was moved, deleted or replaced under the open connection: a request committed now
            # would go to a file no later start can find, after the patient was told it was received.
            raise OutboxError(f"cannot accept requests: the outbox file {self.path} was replaced or removed "
                              "while the kiosk was running; restart the kiosk")
        sealed = seal_with(request.to_json_bytes(), self._public_key)
        digest = hashlib.sha256(sealed).hexdigest()
        request_id = str(uuid.uuid4())
        now = self._clock()
        for _attempt in range(5):
            reference = new_reference()
            try:
                with self._write("save the request") as connection:
                    connection.execute(
                        "INSERT INTO requests (id, reference, created_at, state, attempts, next_attempt_at,"
                        " sealed, sealed_sha256) VALUES (?, ?, ?, 'queued', 0, ?, ?, ?)",
                        (request_id, reference, now, now, sealed, digest),
                    )
                    committed = connection.execute(
                        "UPDATE facts SET value = value + 1 WHERE name = 'committed' RETURNING value"
                    ).fetchone()[0]
            except OutboxError as error:
                if isinstance(error.__cause__, sqlite3.IntegrityError) and "reference" in str(error):
                    continue  # 1 in ~10^12 per pair: draw another code
                raise
            if self._ledger is not None:
                self._ledger.record(LedgerEntry(self._generation, int(committed)))
            return QueuedRequest(request_id, reference, now)
        raise OutboxError("could not find a free reference code")  # pragma: no cover

    def claim(self, request_id: str) -> bool:
        """queued -> sending; False if someone else already moved it."""
        now = self._clock()

        def body(connection: sqlite3.Connection) -> bool:
            cursor = connection.execute(
                "UPDATE requests SET state = 'sending', attempts = attempts + 1, last_attempt_at = ?"
                " WHERE id = ? AND state = 'queued'",
                (now, request_id),
            )
            return cursor.rowcount == 1

        return self._bookkeeping("start sending", body)

    def mark_delivered(self, request_id: str, receipt: str) -> bool:
        """Record the hospital's receipt and destroy the envelope (file and WAL)."""
        now = self._clock()

        def body(connection: sqlite3.Connection) -> bool:
            cursor = connection.execute(
                "UPDATE requests SET state = 'delivered', delivered_at = ?, receipt = ?, sealed = NULL,"
                " last_error = NULL WHERE id = ? AND state != 'delivered'",
                (now, receipt[:ERROR_MAX], request_id),
            )
            if cursor.rowcount != 1:
                return False
            connection.execute(
                "INSERT INTO facts (name, value) VALUES ('last_delivery_at', ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (now,),
            )
            return True

        changed = self._bookkeeping("record the delivery", body)
        if changed and self.checkpoint() and self._reserve is not None:
            self._reserve.ensure()  # the erased envelope made room: take the reserve back if it fits
        return changed

    def checkpoint(self) -> bool:
        """Copy the WAL into the database and truncate it; False if a reader kept it busy."""
        with self._read() as connection:
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return busy == 0

    def mark_retry(self, request_id: str, error: str, next_attempt_at: float) -> bool:
        def body(connection: sqlite3.Connection) -> bool:
            cursor = connection.execute(
                "UPDATE requests SET state = 'queued', last_error = ?, next_attempt_at = ?"
                " WHERE id = ? AND state IN ('sending', 'queued')",
                (error[:ERROR_MAX], next_attempt_at, request_id),
            )
            return cursor.rowcount == 1

        return self._bookkeeping("schedule a retry", body)

    def mark_needs_attention(self, request_id: str, reason: str) -> bool:
        def body(connection: sqlite3.Connection) -> bool:
            cursor = connection.execute(
                "UPDATE requests SET state = 'needs_attention', last_error = ?"
                " WHERE id = ? AND state IN ('sending', 'queued')",
                (reason[:ERROR_MAX], request_id),
            )
            return cursor.rowcount == 1

        return self._bookkeeping("park the request", body)

    def requeue_stale_sending(self) -> int:
        """At start-up: sends a crash interrupted go back to the queue, due now."""
        now = self._clock()

        def body(connection: sqlite3.Connection) -> int:
            return connection.execute(
                "UPDATE requests SET state = 'queued', next_attempt_at = ?,"
                " last_error = COALESCE(last_error, 'interrupted while sending') WHERE state = 'sending'",
                (now,),
            ).rowcount

        return self._bookkeeping("requeue interrupted sends", body)

    def hurry_queued(self) -> int:
        """Make every queued request due now (the network is back: waiting out backoffs helps nobody)."""
        now = self._clock()

        def body(connection: sqlite3.Connection) -> int:
            return connection.execute(
                "UPDATE requests SET next_attempt_at = ? WHERE state = 'queued' AND next_attempt_at > ?",
                (now, now),
            ).rowcount

        return self._bookkeeping("reschedule queued requests", body)

    def requeue_needs_attention(self, ids: Sequence[str] | None = None) -> int:
        """After staff fixed the cause (a token, the endpoint): try parked requests again, now."""
        now = self._clock()
        with self._write("requeue parked requests") as connection:
            if ids is None:
                cursor = connection.execute(
                    "UPDATE requests SET state = 'queued', attempts = 0, next_attempt_at = ?"
                    " WHERE state = 'needs_attention'",
                    (now,),
                )
                return cursor.rowcount
            total = 0
            for request_id in ids:
                cursor = connection.execute(
                    "UPDATE requests SET state = 'queued', attempts = 0, next_attempt_at = ?"
                    " WHERE state = 'needs_attention' AND id = ?",
                    (now, request_id),
                )
                total += cursor.rowcount
            return total

    def purge_delivered_older_than(self, seconds: float) -> int:
        """Forget delivered requests' metadata after the retention period."""
        cutoff = self._clock() - seconds

        def body(connection: sqlite3.Connection) -> int:
            removed = connection.execute(
                "DELETE FROM requests WHERE state = 'delivered' AND delivered_at < ?", (cutoff,)
            ).rowcount
            connection.execute("UPDATE facts SET value = value + ? WHERE name = 'purged'", (removed,))
            return removed

        removed = self._bookkeeping("purge delivered requests", body)
        if removed:
            self.checkpoint()
        return removed

    # -- reading --

    def due(self, now: float | None = None, limit: int = 50) -> list[PendingRequest]:
        """Queued requests whose next attempt is due, oldest first."""
        now = self._clock() if now is None else now
        with self._read() as connection:
            rows = connection.execute(
                "SELECT id, reference, created_at, attempts, sealed, sealed_sha256 FROM requests"
                " WHERE state = 'queued' AND next_attempt_at <= ? AND sealed IS NOT NULL"
                " ORDER BY next_attempt_at, created_at LIMIT ?",
                (now, limit),
            ).fetchall()
        return [PendingRequest(r[0], r[1], r[2], r[3], bytes(r[4]), r[5]) for r in rows]

    def next_due_at(self) -> float | None:
        """When the earliest queued request becomes due (None: nothing queued)."""
        with self._read() as connection:
            row = connection.execute(
                "SELECT MIN(next_attempt_at) FROM requests WHERE state = 'queued'"
            ).fetchone()
        return row[0]

    def get(self, request_id: str) -> RequestRecord | None:
        return self._one("id = ?", (request_id,))

    def find_reference(self, reference: str) -> RequestRecord | None:
        code = reference.strip().upper().replace("-", "").replace(" ", "")
        return self._one("reference = ?", (format_reference(code),))

    def _one(self, where: str, arguments: tuple[Any, ...]) -> RequestRecord | None:
        with self._read() as connection:
            row = connection.execute(
                "SELECT id, reference, created_at, state, attempts, next_attempt_at, last_attempt_at,"
                f" last_error, delivered_at, receipt, sealed IS NOT NULL FROM requests WHERE {where}",
                arguments,
            ).fetchone()
        if row is None:
            return None
        return _record(row)

    def status(self) -> OutboxStatus:
        now = self._clock()
        with self._read() as connection:
            counts = dict.fromkeys(STATES, 0)
            for state, count in connection.execute("SELECT state, COUNT(*) FROM requests GROUP BY state"):
                counts[state] = count
            oldest = connection.execute(
                "SELECT MIN(created_at) FROM requests WHERE state IN ('queued', 'sending', 'needs_attention')"
            ).fetchone()[0]
            last_delivery = connection.execute(
                "SELECT value FROM facts WHERE name = 'last_delivery_at'"
            ).fetchone()
            error_row = connection.execute(
                "SELECT last_error, last_attempt_at FROM requests"
                " WHERE state != 'delivered' AND last_error IS NOT NULL"
                " ORDER BY last_attempt_at DESC LIMIT 1"
            ).fetchone()
        return OutboxStatus(
            queued=counts[QUEUED],
            sending=counts[SENDING],
            delivered=counts[DELIVERED],
            needs_attention=counts[NEEDS_ATTENTION],
            oldest_undelivered_at=oldest,
            oldest_undelivered_age_seconds=None if oldest is None else max(0.0, now - oldest),
            last_delivery_at=None if last_delivery is None else last_delivery[0],
            last_error=None if error_row is None else error_row[0],
            last_error_at=None if error_row is None else error_row[1],
            checked_at=now,
        )

    def needs_attention(self) -> list[RequestRecord]:
        """Requests the hospital refused, oldest first: staff must read ``last_error`` and act."""
        return self._many("state = 'needs_attention'")

    def undelivered(self) -> list[RequestRecord]:
        return self._many("state != 'delivered'")

    def _many(self, where: str) -> list[RequestRecord]:
        with self._read() as connection:
            rows = connection.execute(
                "SELECT id, reference, created_at, state, attempts, next_attempt_at, last_attempt_at,"
                f" last_error, delivered_at, receipt, sealed IS NOT NULL FROM requests WHERE {where}"
                " ORDER BY created_at"
            ).fetchall()
        return [_record(row) for row in rows]

    # -- export --

    def export(self, directory: Path | str, kiosk_id: str = "") -> ExportResult:
        """Write every undelivered envelope to ``directory`` for carrying to the hospital by hand.

        Files: ``<id>.sealed`` (the envelope bytes, unreadable without the hospital's key) and
        ``manifest.json`` (ids, references, creation times, SHA-256 of each file). The requests stay
        queued: the receiver de-duplicates by id, so a later network delivery of the same request is
        harmless.
        """
        return write_export(Path(directory), self.envelopes(), kiosk_id=kiosk_id, now=self._clock())

    def envelopes(self) -> list[Envelope]:
        """Every undelivered envelope, oldest first, each checked against its stored SHA-256."""
        with self._read() as connection:
            rows = connection.execute(
                "SELECT id, reference, created_at, sealed, sealed_sha256 FROM requests"
                " WHERE state != 'delivered' AND sealed IS NOT NULL ORDER BY created_at"
            ).fetchall()
        envelopes = []
        for request_id, reference, created_at, sealed, digest in rows:
            data = bytes(sealed)
            if hashlib.sha256(data).hexdigest() != digest:
                raise OutboxError(f"request {request_id}: stored envelope does not match its checksum")
            envelopes.append(Envelope(request_id, reference, created_at, data, digest))
        return envelopes


@dataclass(frozen=True)
class Envelope:
    """A sealed request as it is carried out of the kiosk by hand."""

    id: str
    reference: str
    created_at: float
    sealed: bytes = field(repr=False)
    sha256: str = ""


def write_export(target: Path, envelopes: Sequence[Envelope], *, kiosk_id: str = "", now: float | None = None,
                 notes: Sequence[str] = ()) -> ExportResult:
    """Write ``envelopes`` and their manifest to ``target`` (the format ``kiosk receiver import`` reads)."""
    entries: list[dict[str, Any]] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for envelope in envelopes:
            name = f"{envelope.id}.sealed"
            _write_file_durably(target / name, envelope.sealed)
            entries.append({
                "id": envelope.id,
                "reference": envelope.reference,
                "created_at": format_timestamp(envelope.created_at),
                "file": name,
                "sha256": envelope.sha256,
            })
        manifest: dict[str, Any] = {
            "format": 1,
            "kiosk_id": kiosk_id,
            "exported_at": format_timestamp(time.time() if now is None else now),
            "requests": entries,
        }
        if notes:
            manifest["notes"] = list(notes)
        manifest_path = target / "manifest.json"
        # Written last: a manifest present means every file it lists is complete.
        _write_file_durably(manifest_path, json.dumps(manifest, indent=2).encode("utf-8"))
    except OSError as error:
        raise OutboxError(f"could not export to {target}: {error}") from error
    return ExportResult(target, manifest_path, tuple(entry["id"] for entry in entries))


def _record(row: Sequence[Any]) -> RequestRecord:
    """A RequestRecord from the columns _one and _many select, in their order."""
    return RequestRecord(
        id=row[0], reference=row[1], created_at=row[2], state=row[3], attempts=row[4], next_attempt_at=row[5],
        last_attempt_at=row[6], last_error=row[7], delivered_at=row[8], receipt=row[9], has_envelope=bool(row[10]),
    )


def _write_file_durably(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
