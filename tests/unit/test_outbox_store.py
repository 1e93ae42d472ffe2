"""The outbox store: state transitions, schema, durability and what it leaves on disk."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.sealing import generate_keypair
from kiosk.outbox.store import (
    DELIVERED,
    QUEUED,
    REFERENCE_ALPHABET,
    SCHEMA_VERSION,
    SENDING,
    Outbox,
    OutboxError,
)
from kiosk.receiver.opening import open_sealed

REPO = Path(__file__).resolve().parents[2]

CANARY_NAME = "Zebulon Quaxwidget"
CANARY_PHONE = "+905321234567"
CANARY_EMAIL = "canary.person@example.org"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_request(name: str = CANARY_NAME) -> ConsultationRequest:
    return ConsultationRequest(
        full_name=name, country="TR", phone=CANARY_PHONE, email=CANARY_EMAIL, contact_language="tr",
        channel="email", relation="family", age=51, description="Cervical dystonia since 2019",
        consent=True, privacy_notice_version="2026-11", ui_language="tr",
    )



@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(tmp_path: Path, keys: tuple[str, str], clock: Clock):
    with Outbox(tmp_path / "outbox.sqlite3", keys[1], clock=clock) as store:
        yield store


# --- schema and opening ------------------------------------------------------------------------------


def test_a_new_outbox_has_the_current_schema_version_and_private_permissions(outbox: Outbox) -> None:
    assert outbox.schema_version == SCHEMA_VERSION >= 1
    assert oct(outbox.path.stat().st_mode & 0o777) == oct(0o600)
    with sqlite3.connect(outbox.path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(requests)")}
        journal = raw.execute("PRAGMA journal_mode").fetchone()[0]
    raw.close()
    assert {"id", "reference", "created_at", "state", "attempts", "next_attempt_at", "last_error",
            "delivered_at", "receipt", "sealed", "sealed_sha256"} <= columns
    assert journal == "wal"


def test_reopening_keeps_the_schema_and_data(tmp_path: Path, keys: tuple[str, str]) -> None:
    with Outbox(tmp_path / "o.db", keys[1]) as first:
        queued = first.enqueue(make_request())
    with Outbox(tmp_path / "o.db", keys[1]) as second:
        assert second.schema_version == SCHEMA_VERSION
        record = second.get(queued.id)
    assert record is not None and record.state == QUEUED


def test_an_outbox_from_a_newer_kiosk_is_refused_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(OutboxError, match="newer kiosk"):
        Outbox(path)


def test_a_directory_that_cannot_hold_the_database_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(OutboxError, match="cannot open the outbox"):
        Outbox(blocker / "outbox.sqlite3", generate_keypair()[1])


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(OutboxError, match="cannot open the outbox"):
        Outbox(path)


def test_a_malformed_public_key_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(OutboxError, match="hospital_public_key"):
        Outbox(tmp_path / "o.db", "bm90IGEga2V5")


def test_without_a_key_the_outbox_reads_but_refuses_requests(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.db") as outbox:
        assert not outbox.can_enqueue
        with pytest.raises(OutboxError, match="not configured"):
            outbox.enqueue(make_request())
        assert outbox.status().undelivered == 0


# --- enqueue ----------------------------------------------------------------------------------------


def test_enqueue_seals_the_request_and_gives_a_readable_reference(
    outbox: Outbox, keys: tuple[str, str]
) -> None:
    queued = outbox.enqueue(make_request())
    assert len(queued.reference) == 9 and queued.reference[4] == "-"
    assert set(queued.reference.replace("-", "")) <= set(REFERENCE_ALPHABET)
    assert not set("O0I1L") & set(queued.reference)
    [pending] = outbox.due()
    assert pending.id == queued.id
    assert hashlib.sha256(pending.sealed).hexdigest() == pending.sealed_sha256
    assert ConsultationRequest.from_json_bytes(open_sealed(pending.sealed, keys[0])) == make_request()
    assert outbox.find_reference(queued.reference.lower().replace("-", " ")) == outbox.get(queued.id)


def test_ids_and_references_are_unique(outbox: Outbox) -> None:
    queued = [outbox.enqueue(make_request()) for _ in range(200)]
    assert len({item.id for item in queued}) == 200
    assert len({item.reference for item in queued}) == 200


def test_a_full_disk_fails_enqueue_cleanly_and_never_half_writes(
    tmp_path: Path, keys: tuple[str, str]
) -> None:
    path = tmp_path / "small.db"
    stored = []
    with Outbox(path, keys[1], max_bytes=64 * 1024) as outbox:
        with pytest.raises(OutboxError, match="full"):
            for _ in range(10_000):
                stored.append(outbox.enqueue(make_request()))
        assert 0 < len(stored) < 10_000
        assert outbox.status().queued == len(stored)
        # Still usable for everything that frees space or reads.
        assert outbox.claim(stored[0].id)
        assert outbox.mark_delivered(stored[0].id, "R-1")
    with Outbox(path, keys[1]) as reopened:
        assert reopened.status().queued == len(stored) - 1
        assert {item.id for item in reopened.undelivered()} == {item.id for item in stored[1:]}
        reopened.enqueue(make_request())  # without the cap there is room again
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()


# --- state transitions ------------------------------------------------------------------------------


def test_the_delivery_life_cycle(outbox: Outbox, clock: Clock) -> None:
    queued = outbox.enqueue(make_request())
    assert outbox.claim(queued.id)
    assert not outbox.claim(queued.id), "a request can be claimed once"
    record = outbox.get(queued.id)
    assert record is not None and record.state == SENDING and record.attempts == 1
    assert outbox.due() == []

    assert outbox.mark_retry(queued.id, "HTTP 503", clock.now + 60)
    assert outbox.due() == []
    assert outbox.next_due_at() == clock.now + 60
    clock.advance(61)
    assert [item.id for item in outbox.due()] == [queued.id]

    assert outbox.claim(queued.id)
    assert outbox.mark_delivered(queued.id, "R-abc")
    record = outbox.get(queued.id)
    assert record is not None
    assert record.state == DELIVERED and record.receipt == "R-abc" and record.attempts == 2
    assert record.has_envelope is False
    assert record.delivered_at == clock.now
    assert not outbox.mark_delivered(queued.id, "R-again")
    assert outbox.next_due_at() is None


def test_needs_attention_is_parked_visible_and_can_be_requeued(outbox: Outbox, clock: Clock) -> None:
    queued = outbox.enqueue(make_request())
    outbox.claim(queued.id)
    assert outbox.mark_needs_attention(queued.id, "HTTP 401 Unauthorized: unknown token")
    assert outbox.due(clock.now + 10_000) == []
    [parked] = outbox.needs_attention()
    assert parked.id == queued.id and "401" in (parked.last_error or "")
    assert parked.has_envelope, "a parked request is never dropped"
    status = outbox.status()
    assert status.needs_attention == 1 and status.undelivered == 1
    assert status.last_error is not None and "401" in status.last_error
    assert outbox.requeue_needs_attention() == 1
    [due] = outbox.due()
    assert due.id == queued.id and due.attempts == 0


def test_a_crash_mid_send_is_requeued_at_start(tmp_path: Path, keys: tuple[str, str]) -> None:
    with Outbox(tmp_path / "o.db", keys[1]) as outbox:
        queued = outbox.enqueue(make_request())
        outbox.claim(queued.id)
    with Outbox(tmp_path / "o.db", keys[1]) as restarted:
        assert restarted.due() == []
        assert restarted.requeue_stale_sending() == 1
        [due] = restarted.due()
        assert due.id == queued.id
        assert due.attempts == 1  # the interrupted attempt still counts for backoff


def test_status_reports_depth_age_last_delivery_and_last_error(outbox: Outbox, clock: Clock) -> None:
    empty = outbox.status()
    assert (empty.queued, empty.oldest_undelivered_at, empty.last_delivery_at) == (0, None, None)
    first = outbox.enqueue(make_request())
    clock.advance(30)
    second = outbox.enqueue(make_request())
    clock.advance(10)
    outbox.claim(second.id)
    outbox.mark_delivered(second.id, "R-2")
    outbox.claim(first.id)
    outbox.mark_retry(first.id, "connection refused", clock.now + 5)
    status = outbox.status()
    assert status.queued == 1 and status.delivered == 1 and status.undelivered == 1
    assert status.oldest_undelivered_at == first.created_at
    assert status.oldest_undelivered_age_seconds == pytest.approx(40.0)
    assert status.last_delivery_at == clock.now
    assert status.last_error == "connection refused"
    data = status.to_dict()
    assert data["oldest_undelivered_at"].endswith("Z") and data["undelivered"] == 1
    json.dumps(data)


def test_retention_forgets_delivered_metadata_but_keeps_the_last_delivery_time(
    outbox: Outbox, clock: Clock
) -> None:
    queued = outbox.enqueue(make_request())
    outbox.claim(queued.id)
    outbox.mark_delivered(queued.id, "R-1")
    delivered_at = clock.now
    pending = outbox.enqueue(make_request())
    clock.advance(86_400)
    assert outbox.purge_delivered_older_than(2 * 86_400) == 0
    clock.advance(2 * 86_400)
    assert outbox.purge_delivered_older_than(2 * 86_400) == 1
    assert outbox.get(queued.id) is None
    assert outbox.get(pending.id) is not None, "undelivered requests are never purged"
    assert outbox.status().last_delivery_at == delivered_at


def test_export_writes_only_sealed_files_and_a_manifest(
    outbox: Outbox, keys: tuple[str, str], tmp_path: Path
) -> None:
    kept = [outbox.enqueue(make_request()) for _ in range(3)]
    delivered = outbox.enqueue(make_request())
    outbox.claim(delivered.id)
    outbox.mark_delivered(delivered.id, "R-1")
    outbox.claim(kept[2].id)
    outbox.mark_needs_attention(kept[2].id, "HTTP 422")
    result = outbox.export(tmp_path / "usb", kiosk_id="lobby-1")
    assert result.count == 3
    manifest = json.loads(result.manifest.read_text())
    assert manifest["kiosk_id"] == "lobby-1"
    assert [entry["id"] for entry in manifest["requests"]] == [item.id for item in kept]
    for entry, item in zip(manifest["requests"], kept, strict=True):
        data = (tmp_path / "usb" / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["reference"] == item.reference
        assert ConsultationRequest.from_json_bytes(open_sealed(data, keys[0])).full_name == CANARY_NAME
    everything = b"".join(path.read_bytes() for path in (tmp_path / "usb").iterdir())
    assert CANARY_NAME.encode() not in everything
    assert sorted(path.name for path in (tmp_path / "usb").iterdir()) == sorted(
        [f"{item.id}.sealed" for item in kept] + ["manifest.json"]
    )
    assert outbox.status().undelivered == 3, "export does not change delivery state"


def test_export_to_an_impossible_place_is_a_clear_error(outbox: Outbox, tmp_path: Path) -> None:
    outbox.enqueue(make_request())
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutboxError, match="could not export"):
        outbox.export(blocker / "usb")


def test_the_gui_and_worker_threads_can_share_the_outbox(outbox: Outbox) -> None:
    errors: list[BaseException] = []
    stop = threading.Event()
    delivered: list[str] = []

    def worker() -> None:
        try:
            while not stop.is_set() or outbox.due(outbox._clock() + 1):
                for item in outbox.due(outbox._clock() + 1):
                    if outbox.claim(item.id):
                        outbox.mark_delivered(item.id, "R")
                        delivered.append(item.id)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def producer() -> None:
        try:
            for _ in range(50):
                outbox.enqueue(make_request())
        except BaseException as error:  # pragma: no cover
            errors.append(error)

    consumer = threading.Thread(target=worker)
    consumer.start()
    producers = [threading.Thread(target=producer) for _ in range(3)]
    for thread in producers:
        thread.start()
    for thread in producers:
        thread.join()
    stop.set()
    consumer.join()
    assert errors == []
    assert len(delivered) == len(set(delivered)) == 150
    assert outbox.status().delivered == 150


# --- what stays on disk -----------------------------------------------------------------------------


def _disk_bytes(path: Path) -> bytes:
    chunks = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = Path(str(path) + suffix)
        if candidate.exists():
            chunks.append(candidate.read_bytes())
    return b"".join(chunks)


def test_no_personal_data_on_disk_before_or_after_delivery(outbox: Outbox) -> None:
    canaries = [CANARY_NAME, CANARY_PHONE, CANARY_PHONE[1:], CANARY_EMAIL, "Cervical dystonia"]
    queued = [outbox.enqueue(make_request()) for _ in range(5)]
    envelopes = {item.id: item.sealed for item in outbox.due()}

    def assert_clean(data: bytes) -> None:
        for canary in canaries:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                assert canary.encode(encoding) not in data, f"{canary!r} found in {encoding}"

    before = _disk_bytes(outbox.path)
    assert_clean(before)
    assert any(envelope[:32] in before for envelope in envelopes.values()), "envelopes are stored"

    for item in queued:
        outbox.claim(item.id)
        outbox.mark_delivered(item.id, "R")
    after = _disk_bytes(outbox.path)
    assert_clean(after)
    for envelope in envelopes.values():
        for offset in range(0, len(envelope) - 16, 16):
            assert envelope[offset:offset + 16] not in after, "delivered ciphertext lingers on disk"
    assert Path(str(outbox.path) + "-wal").stat().st_size == 0, "the WAL was checkpointed and truncated"


# --- durability across kill -9 ----------------------------------------------------------------------

_CHILD = """
import sys, time
from kiosk.outbox.store import Outbox
from kiosk.outbox.request import ConsultationRequest
request = ConsultationRequest("Kill Test", "TR", "+905321234567", "", "tr", "phone", "self", 40, "", True,
                              "2026-11", "tr")
outbox = Outbox(sys.argv[1], sys.argv[2])
while True:
    queued = outbox.enqueue(request)
    sys.stdout.write(queued.id + "\\n")
    sys.stdout.flush()
"""


@pytest.mark.slow
def test_a_request_is_present_after_kill_9_right_after_enqueue_returns(
    tmp_path: Path, keys: tuple[str, str]
) -> None:
    path = tmp_path / "o.db"
    reported: list[str] = []
    env = {**os.environ, "KIOSK_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    for round_number in range(5):
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), keys[1]], stdout=subprocess.PIPE,
                                 env=env, text=True)
        assert child.stdout is not None
        for _ in range(1 + round_number * 7):
            line = child.stdout.readline().strip()
            assert line, "the child died early"
            reported.append(line)
        os.kill(child.pid, signal.SIGKILL)  # the kill lands while later enqueues are in flight
        child.wait()
        child.stdout.close()
    with Outbox(path, keys[1]) as reopened:
        missing = [request_id for request_id in reported if reopened.get(request_id) is None]
        assert missing == []
        assert all(reopened.get(request_id).state == QUEUED for request_id in reported)  # type: ignore[union-attr]
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
