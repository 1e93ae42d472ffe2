"""A named pipe where the outbox keeps a file (the database, its WAL, the ledger, the events log, a quarantine's
reason file) is reported as damage, never read: opening a pipe for reading blocks until someone writes to it,
which at start-up would hold the kiosk forever. Every command runs with a deadline so a hang fails the test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kiosk.outbox.events import events_path, read_events, record_event
from kiosk.outbox.inspection import Condition
from kiosk.outbox.opening import OutboxUnavailable, check_outbox, ledger_path, open_outbox
from kiosk.outbox.quarantine import REASON_FILE, pending_sets
from tests.faults.test_outbox_damage import filled_outbox, kiosk_command

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")


def pipe_in_place_of(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


@pytest.mark.parametrize("which", ["outbox.sqlite3", "outbox.sqlite3-wal"])
def test_a_pipe_for_the_database_is_damage_and_is_quarantined(which: str, tmp_path: Path,
                                                               keys: tuple[str, str]) -> None:
    path = filled_outbox(tmp_path, keys[1], 3, keep_wal=False)
    pipe_in_place_of(tmp_path / which)

    status = kiosk_command(tmp_path, "outbox", "status", "--json")  # a hang would end in TimeoutExpired
    assert status.returncode == 1 and "Traceback" not in status.stderr, status.stderr
    report = json.loads(status.stdout)
    assert report["condition"] == Condition.DAMAGED.value and "not a regular file" in report["problem"]

    with pytest.raises(OutboxUnavailable) as refused:
        open_outbox(path, keys[1])
    assert "not a regular file" in refused.value.inspection.reason
    [quarantined] = pending_sets(path)
    assert (quarantined.folder / which).is_fifo()  # moved aside as it was, never opened
    exported = kiosk_command(tmp_path, "outbox", "export", "--to", str(tmp_path / "usb"))
    assert "Traceback" not in exported.stderr, exported.stderr
    health = json.loads(kiosk_command(tmp_path, "health", "--json").stdout)
    assert "outbox_damaged" in {reason["code"] for reason in health["reasons"]}


def test_a_pipe_for_the_ledger_is_a_damaged_ledger_not_a_hang(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = filled_outbox(tmp_path, keys[1], 2, keep_wal=False)
    pipe_in_place_of(ledger_path(path))
    status = kiosk_command(tmp_path, "outbox", "status", "--json")
    assert "Traceback" not in status.stderr, status.stderr
    assert json.loads(status.stdout)["queued"] == 2
    assert check_outbox(path).condition is Condition.HEALTHY  # the database itself is whole


def test_a_pipe_for_the_events_log_loses_the_event_to_the_log_only(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    outbox_path = tmp_path / "outbox.sqlite3"
    pipe_in_place_of(events_path(outbox_path))
    record_event(outbox_path, "damaged", reason="test")  # no reader on the pipe: must not block
    assert read_events(outbox_path) == []
    assert "not a regular file" in caplog.text or "No such device" in caplog.text


def test_a_pipe_for_a_reason_file_reads_as_unreadable(tmp_path: Path, keys: tuple[str, str]) -> None:
    path = filled_outbox(tmp_path, keys[1], 2, keep_wal=False)
    path.write_bytes(b"\0" * 4096)  # damaged: the kiosk quarantines it with its reason file
    with pytest.raises(OutboxUnavailable):
        open_outbox(path, keys[1])
    [quarantined] = pending_sets(path)
    pipe_in_place_of(quarantined.folder / REASON_FILE)

    status = kiosk_command(tmp_path, "outbox", "status", "--json")
    assert status.returncode == 1 and "Traceback" not in status.stderr, status.stderr
    assert "cannot be read" in json.dumps(json.loads(status.stdout))
    acknowledged = kiosk_command(tmp_path, "outbox", "acknowledge")
    assert acknowledged.returncode == 0 and "Traceback" not in acknowledged.stderr, acknowledged.stderr
    assert not pending_sets(path)
