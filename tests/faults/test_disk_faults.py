"""A full or read-only data disk, made real with a small tmpfs mount (needs root, as CI runs).

On a full disk delivery goes on (the outbox's reserve), new requests are refused with a clear error and
the PIN still works; on a read-only disk the kiosk reports it, takes no requests, keeps the PIN
lock-out in memory and staff can still export every envelope.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.admin.pin import FREE_ATTEMPTS, PinGate, hash_pin
from kiosk.outbox.delivery import DeliverySettings
from kiosk.outbox.inspection import Condition
from kiosk.outbox.opening import OutboxUnavailable, open_outbox, reserve_path
from kiosk.outbox.store import DELIVERED, OutboxError
from kiosk.outbox.worker import DeliveryWorker
from kiosk.receiver.server import ReceiverHTTPServer
from tests.faults.faultproxy import wait_until
from tests.faults.test_outbox_damage import kiosk_command, request

TOKEN = "disk-fault-token-0123456789abcdef"
RESERVE = 256 * 1024


def _mount_allowed() -> str:
    if os.geteuid() != 0:
        return "mounting a small file system needs root"
    return ""


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs: full after a few hundred kilobytes of filler."""
    reason = _mount_allowed()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_disk(folder: Path) -> Path:
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        while True:
            os.write(descriptor, b"\xff" * 4096)
    except OSError:
        pass  # ENOSPC: the disk is full
    finally:
        os.close(descriptor)
    return filler


def make_read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


@pytest.fixture
def receiver(tmp_path: Path, keys: tuple[str, str]) -> Iterator[ReceiverHTTPServer]:
    server = ReceiverHTTPServer.local(tmp_path / "receiver.db", keys[0], [TOKEN]).start_in_thread()
    yield server
    server.close()


def settings_for(url: str) -> DeliverySettings:
    return DeliverySettings(endpoint=url, kiosk_id="lobby", token=TOKEN, connect_timeout=2.0, deadline=2.0,
                            backoff_base=0.05, backoff_cap=0.2)


@pytest.mark.slow
@pytest.mark.parametrize("reserve", [RESERVE, 0])
def test_delivery_goes_on_while_the_disk_is_full(small_disk: Path, keys: tuple[str, str],
                                                   receiver: ReceiverHTTPServer, reserve: int) -> None:
    outbox = open_outbox(small_disk / "outbox.sqlite3", keys[1], reserve_bytes=reserve)
    assert reserve_path(outbox.path).exists() is bool(reserve)
    queued = [outbox.enqueue(request(number)).id for number in range(30)]
    outbox.checkpoint()
    fill_disk(small_disk)
    with pytest.raises(OutboxError, match="full"):
        outbox.enqueue(request(99))  # refused, and said so: the patient is asked to go to the desk
    worker = DeliveryWorker(outbox, settings_for(receiver.url))
    worker.start()
    try:
        if reserve:
            assert wait_until(lambda: outbox.status().delivered == len(queued), timeout=30)
            assert all(outbox.get(request_id).state == DELIVERED for request_id in queued)
        else:
            # Without the reserve the disk is too full to record a single delivery: the test proves the point.
            wait_until(lambda: outbox.status().delivered > 0, timeout=3)
            assert outbox.status().delivered == 0
    finally:
        assert worker.stop(10)
    if reserve:
        assert receiver.ingestor.store.count() == len(queued)  # each exactly once
    outbox.close()


@pytest.mark.slow
def test_the_pin_works_on_a_full_and_on_a_read_only_disk(small_disk: Path) -> None:
    state = small_disk / "admin-lockout.json"
    gate = PinGate(hash_pin("4826", n=2**4), state)
    fill_disk(small_disk)
    for _ in range(FREE_ATTEMPTS + 1):
        result = gate.attempt("0000")
    assert result.locked_seconds > 0  # the lock-out holds although its file could not be written
    assert gate.remaining_lockout() > 0
    assert not state.exists()
    (small_disk / "filler").unlink()
    gate.remaining_lockout()
    assert json.loads(state.read_text())["failures"] == FREE_ATTEMPTS  # written once there was room

    make_read_only(small_disk)
    fresh_gate = PinGate(hash_pin("4826", n=2**4), state)
    assert fresh_gate.remaining_lockout() > 0  # a restart keeps the lock-out that reached the disk
    clock = [10**10]
    unlocked = PinGate(hash_pin("4826", n=2**4), state, clock=lambda: clock[0])
    assert unlocked.attempt("4826").accepted  # staff get in on a read-only disk


@pytest.mark.slow
def test_a_read_only_data_folder_is_reported_and_exported(small_disk: Path, keys: tuple[str, str],
                                                          tmp_path: Path) -> None:
    outbox = open_outbox(small_disk / "outbox.sqlite3", keys[1])
    ids = [outbox.enqueue(request(number)).id for number in range(6)]
    outbox.close()
    make_read_only(small_disk)

    with pytest.raises(OutboxUnavailable) as refused:
        open_outbox(small_disk / "outbox.sqlite3", keys[1])
    assert refused.value.inspection.condition is Condition.UNWRITABLE
    assert "read-only" in str(refused.value)

    status = kiosk_command(small_disk, "outbox", "status", "--json")
    assert status.returncode == 1 and "Traceback" not in status.stderr
    assert json.loads(status.stdout)["condition"] == "unwritable"
    exported = kiosk_command(small_disk, "outbox", "export", "--to", str(tmp_path / "usb"))
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((tmp_path / "usb" / "manifest.json").read_text())
    assert sorted(entry["id"] for entry in manifest["requests"]) == sorted(ids)
    health = kiosk_command(small_disk, "health", "--json")
    assert "outbox_unwritable" in {reason["code"] for reason in json.loads(health.stdout)["reasons"]}


def test_a_kiosk_without_root_still_runs_these_checks() -> None:
    # Guards the fixture itself: in CI (root) the mount must work, so the tests above cannot skip there.
    if os.environ.get("CI") and os.geteuid() == 0:
        probe = subprocess.run(["mount", "--version"], capture_output=True, text=True, check=False)
        assert probe.returncode == 0
    assert sys.executable


@pytest.mark.parametrize("fault", ["full", "read_only"])
def test_a_damaged_outbox_on_a_disk_that_takes_no_writes_stays_in_place_unchanged(
    fault: str, small_disk: Path, keys: tuple[str, str]
) -> None:
    from tests.faults.test_outbox_damage import damage_header, filled_outbox

    path = filled_outbox(small_disk, keys[1], 5, keep_wal=False)
    damage_header(path)
    before = path.read_bytes()
    filler = fill_disk(small_disk)
    if fault == "read_only":
        make_read_only(small_disk)
    with pytest.raises(OutboxUnavailable) as refused:
        open_outbox(path, keys[1])
    assert refused.value.inspection.condition is Condition.DAMAGED
    assert "left in place, unchanged" in refused.value.inspection.reason
    assert path.read_bytes() == before
    # No half-made quarantine set is left to stand for files that were never moved.
    assert not any((small_disk / "outbox-quarantine").glob("*/"))
    if fault == "read_only":
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    filler.unlink()
    with pytest.raises(OutboxUnavailable):
        open_outbox(path, keys[1])
    [moved] = [folder for folder in (small_disk / "outbox-quarantine").iterdir()]
    assert (moved / path.name).read_bytes() == before and not path.exists()
