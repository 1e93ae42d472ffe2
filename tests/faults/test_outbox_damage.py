"""A damaged or unopenable outbox: quarantined, never overwritten, salvaged, and loss always reported.

Each kind of damage is made on real files (as a power cut or a failing disk leaves them), then the
kiosk's own opening path, ``kiosk outbox status``/``export``/``acknowledge`` as real processes, and
``kiosk health`` judge it. The figures (requests recovered per kind) are printed with ``-s``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.outbox.inspection import Condition
from kiosk.outbox.opening import OutboxUnavailable, check_outbox, ledger_path, open_outbox
from kiosk.outbox.quarantine import pending_sets, quarantined_sets
from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.store import OutboxError
from kiosk.receiver.opening import open_sealed

REPO = Path(__file__).resolve().parents[2]
COMMITTED = 20
PAGE = 4096


def request(number: int) -> ConsultationRequest:
    return ConsultationRequest(
        full_name=f"Patient {number:03d}", country="TR", phone="+905321234567", email="p@example.org",
        contact_language="tr", channel="email", relation="self", age=40, description="Neck turns " * 30,
        consent=True, privacy_notice_version="2026-11", ui_language="tr",
    )


def crash_image(source: Path, target: Path) -> None:
    """The outbox files as a power cut would leave them: copied while the kiosk still has them open."""
    target.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if (source.parent / (source.name + suffix)).exists():
            shutil.copyfile(source.parent / (source.name + suffix), target / (source.name + suffix))
    shutil.copyfile(ledger_path(source), target / ledger_path(source).name)


def filled_outbox(home: Path, public_key: str, count: int = COMMITTED, *, keep_wal: bool) -> Path:
    """An outbox in ``home`` with ``count`` committed requests; with ``keep_wal`` they are all still in the WAL
    (the kiosk was running: no checkpoint), else the kiosk closed it cleanly."""
    path = home / "outbox.sqlite3"
    staging = home / "staging"
    staging.mkdir()
    outbox = open_outbox(staging / path.name, public_key)
    outbox._connection.execute("PRAGMA wal_autocheckpoint=0")
    ids = [outbox.enqueue(request(number)).id for number in range(count)]
    if keep_wal:
        crash_image(staging / path.name, home)
        outbox.close()
    else:
        outbox.close()
        crash_image(staging / path.name, home)
    shutil.rmtree(staging)
    (home / "ids.json").write_text(json.dumps(ids))
    return path


def damage_wal_frame(path: Path) -> None:
    wal = path.with_name(path.name + "-wal")
    data = bytearray(wal.read_bytes())
    frame_count = (len(data) - 32) // (24 + PAGE)
    assert frame_count > 10
    offset = 32 + 3 * (24 + PAGE) + 24 + 200  # a byte in the page of the fourth frame
    data[offset] ^= 0xFF
    wal.write_bytes(bytes(data))


def damage_header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"NOT A DATABASE!!")


def truncate_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def truncate_last_page(path: Path) -> None:
    os.truncate(path, path.stat().st_size - PAGE)


def zero_out(path: Path) -> None:
    path.write_bytes(bytes(path.stat().st_size))


def replace_with_text(path: Path) -> None:
    path.write_text("requests were here\n" * 100)


def empty_file(path: Path) -> None:
    os.truncate(path, 0)


def remove_file(path: Path) -> None:
    path.unlink()


def damage_inner_page(path: Path) -> None:
    pages = path.stat().st_size // PAGE
    middle = pages // 2
    with path.open("r+b") as handle:
        handle.seek(middle * PAGE)
        handle.write(b"\xA5" * PAGE)


def older_copy(path: Path) -> None:
    """Replaced by a copy taken when only the first half of the requests existed."""
    older = path.with_name("older.sqlite3")
    assert older.exists()
    os.replace(older, path)


# kind -> (damage, keep_wal, condition, at least this many of the 20 recovered)
DAMAGE: dict[str, tuple[Callable[[Path], None], bool, Condition, int]] = {
    "wal_frame": (damage_wal_frame, True, Condition.LOST, COMMITTED - 2),
    "header": (damage_header, False, Condition.DAMAGED, COMMITTED),
    "truncated_half": (truncate_half, False, Condition.DAMAGED, 0),
    "truncated_tail": (truncate_last_page, False, Condition.DAMAGED, COMMITTED // 2),
    "inner_page": (damage_inner_page, False, Condition.DAMAGED, COMMITTED // 2),
    "zeroed": (zero_out, False, Condition.DAMAGED, 0),
    "text_file": (replace_with_text, False, Condition.DAMAGED, 0),
    "zero_bytes": (empty_file, False, Condition.LOST, 0),
    "missing": (remove_file, False, Condition.LOST, 0),
    "missing_but_wal": (remove_file, True, Condition.LOST, COMMITTED),  # was: 0 exported of the 20 in the WAL
    "older_copy": (older_copy, False, Condition.LOST, COMMITTED // 2),
}

FIGURES: dict[str, tuple[int, int]] = {}


def kiosk_command(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("KIOSK_")}
    env.update(KIOSK_HOME=str(home), PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def make_damaged(kind: str, home: Path, keys: tuple[str, str]) -> Path:
    damage, keep_wal, _condition, _floor = DAMAGE[kind]
    if kind == "older_copy":
        path = filled_outbox(home, keys[1], COMMITTED // 2, keep_wal=False)
        shutil.copyfile(path, home / "older.sqlite3")
        outbox = open_outbox(path, keys[1])
        for number in range(COMMITTED // 2, COMMITTED):
            outbox.enqueue(request(number))
        outbox.close()
    else:
        path = filled_outbox(home, keys[1], keep_wal=keep_wal)
    damage(path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_damage_is_quarantined_salvaged_and_reported(kind: str, tmp_path: Path, keys: tuple[str, str]) -> None:
    _damage, _keep_wal, condition, floor = DAMAGE[kind]
    home = tmp_path / "home"
    home.mkdir()
    path = make_damaged(kind, home, keys)
    # The database and its WAL, byte for byte (the -shm file is an index SQLite rebuilds from the WAL).
    before = {item.name: item.read_bytes() for item in home.iterdir() if item.name in ("outbox.sqlite3",
                                                                                      "outbox.sqlite3-wal")}

    assert check_outbox(path).condition is condition
    with pytest.raises(OutboxUnavailable) as refused:
        open_outbox(path, keys[1])
    assert refused.value.inspection.condition is condition
    # Moved aside whole, byte for byte; no new outbox was created in its place.
    [quarantined] = pending_sets(path)
    assert {name: (quarantined.folder / name).read_bytes() for name in before} == before
    assert not path.exists()
    with pytest.raises(OutboxUnavailable):
        open_outbox(path, keys[1])  # the next start refuses too, until staff acknowledge
    assert not path.exists()

    status = kiosk_command(home, "outbox", "status", "--json")
    assert status.returncode == 1, status.stderr
    assert "Traceback" not in status.stderr
    reported = json.loads(status.stdout)
    assert reported["condition"] == condition.value and reported["problem"]

    exported = kiosk_command(home, "outbox", "export", "--to", str(tmp_path / "usb"))
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((tmp_path / "usb" / "manifest.json").read_text())
    ids = json.loads((home / "ids.json").read_text())
    recovered = [entry["id"] for entry in manifest["requests"]]
    assert set(recovered) <= set(ids) and len(recovered) == len(set(recovered))
    assert len(recovered) >= floor
    for entry in manifest["requests"]:  # every exported envelope opens with the hospital's key
        sealed = (tmp_path / "usb" / entry["file"]).read_bytes()
        assert open_sealed(sealed, keys[0]).startswith(b"{")
    FIGURES[kind] = (len(recovered), COMMITTED)
    print(f"\n{kind}: {condition.value}, recovered {len(recovered)} of {COMMITTED}")

    health = kiosk_command(home, "health", "--json")
    assert health.returncode != 0
    report = json.loads(health.stdout)
    assert not report["healthy"]
    assert {reason["code"] for reason in report["reasons"]} & {"outbox_damaged", "outbox_lost"}

    events = [json.loads(line)["event"] for line in (home / "outbox-events.log").read_text().splitlines()]
    assert condition.value in events and "quarantined" in events

    acknowledged = kiosk_command(home, "outbox", "acknowledge")
    assert acknowledged.returncode == 0, acknowledged.stderr
    fresh = open_outbox(path, keys[1])  # staff dealt with it: a new, empty outbox starts
    assert fresh.status().queued == 0
    fresh.close()
    assert [item.acknowledged for item in quarantined_sets(path)] == [True]


def test_a_healthy_outbox_opens_and_counts_match(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = filled_outbox(tmp_path, keys[1], 5, keep_wal=True)
    inspection = check_outbox(path)
    assert (inspection.condition, inspection.committed, inspection.expected) == (Condition.HEALTHY, 5, 5)
    outbox = open_outbox(path, keys[1])
    assert outbox.status().queued == 5
    outbox.close()


def test_a_crash_between_commit_and_ledger_is_not_a_loss(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = filled_outbox(tmp_path, keys[1], 3, keep_wal=False)
    ledger = json.loads(ledger_path(path).read_text())
    ledger["committed"] -= 1  # the ledger write after the last commit never happened
    ledger_path(path).write_text(json.dumps(ledger))
    assert check_outbox(path).condition is Condition.HEALTHY


def test_rows_deleted_behind_the_kiosks_back_are_a_loss(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = filled_outbox(tmp_path, keys[1], 4, keep_wal=False)
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM requests WHERE rowid = 2")
    inspection = check_outbox(path)
    assert inspection.condition is Condition.LOST and "1 request(s) are missing" in inspection.reason


def test_a_damaged_ledger_does_not_stop_the_kiosk(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = filled_outbox(tmp_path, keys[1], 2, keep_wal=False)
    ledger_path(path).write_text("{broken")
    outbox = open_outbox(path, keys[1])
    assert outbox.status().queued == 2
    outbox.close()
    assert json.loads(ledger_path(path).read_text())["committed"] == 2  # written again from the database
    events = [json.loads(line)["event"] for line in (tmp_path / "outbox-events.log").read_text().splitlines()]
    assert events == ["ledger_damaged"]


def test_an_older_schema_outbox_is_adopted_without_a_false_alarm(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = filled_outbox(tmp_path, keys[1], 3, keep_wal=False)
    ledger_path(path).unlink()
    with sqlite3.connect(path) as raw:  # as a kiosk from before the counts existed left it
        raw.execute("DELETE FROM facts WHERE name IN ('generation', 'committed', 'purged')")
        raw.execute("PRAGMA user_version=1")
    assert check_outbox(path).condition is Condition.HEALTHY
    outbox = open_outbox(path, keys[1])
    assert outbox.status().queued == 3
    outbox.close()
    assert json.loads(ledger_path(path).read_text())["committed"] == 3



def _last_value(path: Path, column: str) -> bytes:
    with sqlite3.connect(path) as raw:
        value = raw.execute(f"SELECT CAST({column} AS BLOB) FROM requests ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    raw.close()
    return bytes(value)


def _rewrite_byte(path: Path, needle: bytes, offset: int, new: int) -> None:
    """One byte of the stored value ``needle`` changed in place, as a bit rotting on the disk does."""
    data = bytearray(path.read_bytes())
    data[data.index(needle) + offset] = new
    path.write_bytes(bytes(data))


def flip_in_envelope(path: Path) -> None:
    sealed = _last_value(path, "sealed")
    _rewrite_byte(path, sealed[100:140], 0, sealed[100] ^ 0x01)


def flip_checksum_to_invalid_utf8(path: Path) -> None:
    _rewrite_byte(path, _last_value(path, "sealed_sha256"), 3, 0xFF)


def flip_id_to_other_text(path: Path) -> None:
    request_id = _last_value(path, "id")
    _rewrite_byte(path, request_id, 0, ord("x") if request_id[0] != ord("x") else ord("y"))


@pytest.mark.parametrize(("damage", "words"), [
    (flip_in_envelope, "does not match its checksum"),  # SQLite's checks never look inside a value
    (flip_checksum_to_invalid_utf8, "damaged text"),  # every read of the queue would fail on it
    (flip_id_to_other_text, "missing from index"),  # still text, but the primary key's index disagrees
])
def test_a_damaged_value_inside_a_row_is_damage_not_health(
    damage: Callable[[Path], None], words: str, tmp_path: Path, keys: tuple[str, str]
) -> None:
    path = filled_outbox(tmp_path, keys[1], 5, keep_wal=False)
    damage(path)
    inspection = check_outbox(path)
    assert inspection.condition is Condition.DAMAGED, inspection
    assert words in inspection.reason
    with pytest.raises(OutboxUnavailable):
        open_outbox(path, keys[1])
    status = kiosk_command(tmp_path, "outbox", "status")
    assert status.returncode == 1 and "Traceback" not in status.stderr, status.stderr
    exported = kiosk_command(tmp_path, "outbox", "export", "--to", str(tmp_path / "usb"))
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((tmp_path / "usb" / "manifest.json").read_text())
    assert len(manifest["requests"]) >= 4  # every other request is carried out


def refuse(path: Path, public_key: str) -> OutboxUnavailable:
    with pytest.raises(OutboxUnavailable) as refused:
        open_outbox(path, public_key)
    return refused.value


def test_a_damaged_reason_file_is_still_a_waiting_quarantine(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = make_damaged("header", tmp_path, keys)
    refuse(path, keys[1])
    [waiting] = pending_sets(path)
    (waiting.folder / "reason.json").write_text(json.dumps({"quarantined_at": "soon", "expected": "20"}))
    assert check_outbox(path).condition is Condition.DAMAGED  # was: ValueError, start-up stopped half-way
    assert refuse(path, keys[1]).inspection.condition is Condition.DAMAGED
    status = kiosk_command(tmp_path, "outbox", "status")
    assert status.returncode == 1 and "Traceback" not in status.stderr, status.stderr


def test_a_quarantine_interrupted_by_a_crash_is_finished_at_the_next_start(
    tmp_path: Path, keys: tuple[str, str]
) -> None:
    path = make_damaged("wal_frame", tmp_path, keys)
    inspection = check_outbox(path)
    # As a power cut after the reason file and the database were moved leaves it: the WAL and the ledger
    # still in place, and staff would export the database without the log that holds the requests.
    folder = tmp_path / "outbox-quarantine" / "20261201T000000Z"
    folder.mkdir(parents=True)
    (folder / "reason.json").write_text(json.dumps({"reason": inspection.reason, "condition": "lost",
                                                    "expected": COMMITTED, "acknowledged": False}))
    os.replace(path, folder / path.name)
    refuse(path, keys[1])
    assert not any(item.name.startswith("outbox.") for item in tmp_path.iterdir())
    assert {item.name for item in folder.iterdir()} >= {"outbox.sqlite3", "outbox.sqlite3-wal", "outbox.ledger.json"}
    exported = kiosk_command(tmp_path, "outbox", "export", "--to", str(tmp_path / "usb"))
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads((tmp_path / "usb" / "manifest.json").read_text())["requests"]) >= COMMITTED - 2
    assert kiosk_command(tmp_path, "outbox", "acknowledge").returncode == 0
    fresh = open_outbox(path, keys[1])  # no ledger left behind to raise a second, false alarm
    fresh.close()


def test_a_symlinked_outbox_is_judged_and_quarantined_with_the_log_beside_its_target(
    tmp_path: Path, keys: tuple[str, str]
) -> None:
    (tmp_path / "disk2").mkdir()
    (tmp_path / "data").mkdir()
    target, link = tmp_path / "disk2" / "outbox.sqlite3", tmp_path / "data" / "outbox.sqlite3"
    link.symlink_to(target)
    outbox = open_outbox(link, keys[1])
    outbox._connection.execute("PRAGMA wal_autocheckpoint=0")
    for number in range(COMMITTED):
        outbox.enqueue(request(number))
    crash = tmp_path / "crash"
    crash_image(target, crash)
    outbox.close()
    for item in crash.iterdir():
        shutil.copyfile(item, target.with_name(item.name))
    assert check_outbox(link).condition is Condition.HEALTHY
    damage_wal_frame(target)
    assert check_outbox(link).condition is Condition.LOST  # was: healthy, 0 rows, nothing missing
    refuse(link, keys[1])
    assert not target.with_name(target.name + "-wal").exists()  # the log went with the database
    exported = kiosk_command(tmp_path / "disk2", "outbox", "export", "--db", str(link), "--to", str(tmp_path / "usb"))
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads((tmp_path / "usb" / "manifest.json").read_text())["requests"]) >= COMMITTED - 2


def test_schema_text_that_is_no_longer_utf8_is_damage_not_a_traceback(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = filled_outbox(tmp_path, keys[1], 5, keep_wal=False)
    _rewrite_byte(path, b"CREATE INDEX requests_by_state_due", 7, 0x96)  # SQLite's error quotes this text
    assert check_outbox(path).condition is Condition.DAMAGED  # was: UnicodeDecodeError out of start-up
    refuse(path, keys[1])
    status = kiosk_command(tmp_path, "outbox", "status")
    assert status.returncode == 1 and "Traceback" not in status.stderr, status.stderr


def test_an_outbox_replaced_while_the_kiosk_runs_takes_no_request_into_the_lost_file(
    tmp_path: Path, keys: tuple[str, str]
) -> None:
    (tmp_path / "kiosk").mkdir()
    (tmp_path / "elsewhere").mkdir()
    path = filled_outbox(tmp_path / "kiosk", keys[1], 3, keep_wal=False)
    outbox = open_outbox(path, keys[1])
    other = filled_outbox(tmp_path / "elsewhere", keys[1], 1, keep_wal=False)
    os.replace(other, path)  # a restore, a sync tool, a mistaken copy over the running kiosk's file
    with pytest.raises(OutboxError, match="replaced or removed"):
        outbox.enqueue(request(99))  # was: "received", into a file no later start can find
    assert check_outbox(path).condition is Condition.LOST  # health says so while the kiosk still runs
    outbox.close()


def zero_first_page(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(bytes(PAGE))


def zero_wal_header(path: Path) -> None:
    with path.with_name(path.name + "-wal").open("r+b") as handle:
        handle.write(bytes(32))


@pytest.mark.parametrize(("damage", "keep_wal"), [(zero_first_page, False), (zero_wal_header, True)])
def test_rows_are_salvaged_when_sqlite_cannot_reach_them(
    damage: Callable[[Path], None], keep_wal: bool, tmp_path: Path, keys: tuple[str, str]
) -> None:
    # The schema page gone, or the log's header: every row is still on its page (was: 0 of 20 exported).
    path = filled_outbox(tmp_path, keys[1], keep_wal=keep_wal)
    damage(path)
    refuse(path, keys[1])
    exported = kiosk_command(tmp_path, "outbox", "export", "--to", str(tmp_path / "usb"))
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((tmp_path / "usb" / "manifest.json").read_text())
    assert {entry["id"] for entry in manifest["requests"]} == set(json.loads((tmp_path / "ids.json").read_text()))
    for entry in manifest["requests"]:
        assert open_sealed((tmp_path / "usb" / entry["file"]).read_bytes(), keys[0]).startswith(b"{")


def test_acknowledge_before_the_files_are_moved_and_twice(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = make_damaged("header", tmp_path, keys)
    early = kiosk_command(tmp_path, "outbox", "acknowledge")
    assert early.returncode == 2 and "start the kiosk once" in early.stderr and "Traceback" not in early.stderr
    assert path.exists() and not pending_sets(path)  # nothing acknowledged while the damaged file is in place
    refuse(path, keys[1])
    assert kiosk_command(tmp_path, "outbox", "acknowledge").returncode == 0
    again = kiosk_command(tmp_path, "outbox", "acknowledge")
    assert again.returncode == 0 and "nothing to acknowledge" in again.stdout
    assert [item.acknowledged for item in quarantined_sets(path)] == [True]


def test_an_envelope_whose_stored_type_turned_to_text_is_damage_and_still_exported(
    tmp_path: Path, keys: tuple[str, str]
) -> None:
    path = filled_outbox(tmp_path, keys[1], 5, keep_wal=False)
    request_id = _last_value(path, "id")
    data = bytearray(path.read_bytes())
    # The record header ends right before the id; the envelope's serial type (a two-byte varint, even for a
    # blob) sits just before the checksum's: one bit makes it text of the same length.
    where = data.index(request_id) - 3
    assert data[where] % 2 == 0
    data[where] |= 1
    path.write_bytes(bytes(data))
    inspection = check_outbox(path)  # was: TypeError out of salvage, and a healthy outbox whose sender fails
    assert inspection.condition is Condition.DAMAGED and "checksum" in inspection.reason
    refuse(path, keys[1])
    exported = kiosk_command(tmp_path, "outbox", "export", "--to", str(tmp_path / "usb"))
    assert exported.returncode == 0 and "Traceback" not in exported.stderr, exported.stderr
    manifest = json.loads((tmp_path / "usb" / "manifest.json").read_text())
    assert len(manifest["requests"]) == 5  # the envelope's bytes are intact: it goes out too


def test_counts_missing_from_a_current_schema_are_damage_not_a_crash(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = filled_outbox(tmp_path, keys[1], 3, keep_wal=False)
    ledger_path(path).unlink()
    with sqlite3.connect(path) as raw:  # the schema says the counts exist, but they are gone
        raw.execute("DELETE FROM facts WHERE name = 'generation'")
    raw.close()
    inspection = check_outbox(path)  # was: healthy, and then KeyError out of the kiosk's start-up
    assert inspection.condition is Condition.DAMAGED and "counts are missing" in inspection.reason
    refuse(path, keys[1])
