"""Seeded fault campaign on the outbox's damage handling, and SIGKILLs of a real kiosk-side process.

Damage: single bytes and whole pages overwritten at random offsets of the database and of its WAL, each
on a fresh copy of an outbox with 20 committed requests (6 delivered, 3 of those purged, 14 waiting),
either all checkpointed into the database or with the last 10 still in the WAL (the kiosk was running).
Each outcome is one of: healthy and every waiting request intact; refused and quarantined, with the
envelopes salvage recovers counted (by SHA-256 against the originals); a silent loss (healthy, but a
waiting request is gone or unreadable: a bug); or a false alarm (an undamaged outbox refused: a bug).
Figures print with ``-s``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kiosk.outbox.commands import export_everything
from kiosk.outbox.inspection import Condition
from kiosk.outbox.opening import OutboxUnavailable, check_outbox, ledger_path, open_outbox
from kiosk.outbox.quarantine import pending_sets
from kiosk.outbox.store import Outbox
from tests.faults.conftest import REPO, child_env
from tests.faults.test_outbox_damage import COMMITTED, PAGE, crash_image, make_damaged, request

SEED = 20261201
BYTE_DAMAGES = 200  # per layout
PAGE_DAMAGES = 50


def template(home: Path, public_key: str, *, in_wal: bool) -> tuple[Path, set[str]]:
    """An outbox as described above; returns its folder and the SHA-256 of the 14 waiting envelopes."""
    staging = home / "staging"
    staging.mkdir(parents=True)
    now = [1_000.0]
    outbox = open_outbox(staging / "outbox.sqlite3", public_key, clock=lambda: now[0])
    first = [outbox.enqueue(request(number)).id for number in range(COMMITTED // 2)]
    for request_id in first[:6]:
        assert outbox.claim(request_id) and outbox.mark_delivered(request_id, f"receipt-{request_id}")
    now[0] += 3600
    for request_id in first[3:6]:  # delivered later: kept for the retention period
        outbox._connection.execute("UPDATE requests SET delivered_at = ? WHERE id = ?", (now[0], request_id))
    assert outbox.purge_delivered_older_than(60) == 3
    outbox._connection.execute("PRAGMA wal_autocheckpoint=0")
    for number in range(COMMITTED // 2, COMMITTED):
        outbox.enqueue(request(number))
    waiting = {envelope.sha256 for envelope in outbox.envelopes()}
    folder = home / ("in-wal" if in_wal else "checkpointed")
    if in_wal:
        crash_image(staging / "outbox.sqlite3", folder)
        outbox.close()
    else:
        outbox.close()
        crash_image(staging / "outbox.sqlite3", folder)
    shutil.rmtree(staging)
    assert len(waiting) == COMMITTED - 6
    return folder, waiting


def damage(rng: random.Random, folder: Path, size: int) -> str:
    database, wal = folder / "outbox.sqlite3", folder / "outbox.sqlite3-wal"
    target = wal if wal.exists() and rng.random() < 0.5 else database
    data = bytearray(target.read_bytes())
    if size == 1:
        offset = rng.randrange(len(data))
        data[offset] = rng.choice([value for value in range(256) if value != data[offset]])
    else:
        offset = rng.randrange(len(data) // size) * size
        fill = rng.choice((bytes(size), b"\xff" * size, rng.randbytes(size)))
        data[offset:offset + size] = fill
    target.write_bytes(bytes(data))
    return "wal" if target is wal else "database"


def judge(folder: Path, public_key: str, waiting: set[str]) -> tuple[str, int]:
    """(outcome, requests recovered or intact)."""
    path = folder / "outbox.sqlite3"
    try:
        outbox = open_outbox(path, public_key)
    except OutboxUnavailable as refused:
        if not refused.inspection.condition.quarantined:
            return f"refused ({refused.inspection.condition.value})", 0
        export_everything(path, folder / "usb", "campaign")
        manifest = json.loads((folder / "usb" / "manifest.json").read_text())
        recovered = {hashlib.sha256((folder / "usb" / entry["file"]).read_bytes()).hexdigest()
                     for entry in manifest["requests"]}
        return "quarantined", len(recovered & waiting)
    with outbox:
        try:
            intact = {envelope.sha256 for envelope in outbox.envelopes()}
            due = {item.sealed_sha256 for item in outbox.due(now=1e12, limit=1000)}
        except Exception as error:  # any failure of a healthy outbox is the finding
            return f"silent: {type(error).__name__}", 0
    if waiting - (intact & due):
        return "silent loss", len(waiting & intact & due)
    return "healthy", len(waiting)


@pytest.mark.slow
def test_random_damage_is_never_silent_and_never_a_false_alarm(tmp_path: Path, keys: tuple[str, str]) -> None:
    logging.disable(logging.CRITICAL)  # hundreds of quarantines: the log lines say nothing new here
    try:
        figures = _campaign(tmp_path, keys[1])
    finally:
        logging.disable(logging.NOTSET)
    print("\n" + json.dumps(figures, indent=2))
    assert figures["silent_losses"] == 0, figures
    assert figures["false_alarms"] == 0, figures
    assert figures["requests_recovered"] > figures["requests_lost"], figures


def _campaign(root: Path, public_key: str) -> dict[str, object]:
    rng = random.Random(SEED)
    outcomes: Counter[str] = Counter()
    lost_by_kind: Counter[str] = Counter()
    recovered = lost = silent = false_alarms = trials = 0
    started = time.monotonic()
    for in_wal in (True, False):
        folder, waiting = template(root / f"template-{in_wal}", public_key, in_wal=in_wal)
        baseline = root / f"baseline-{in_wal}"
        shutil.copytree(folder, baseline)
        if judge(baseline, public_key, waiting) != ("healthy", len(waiting)):
            false_alarms += 1
        for size in [1] * BYTE_DAMAGES + [PAGE] * PAGE_DAMAGES:
            trial = root / f"trial-{trials}"
            trials += 1
            shutil.copytree(folder, trial)
            where = damage(rng, trial, size)
            outcome, count = judge(trial, public_key, waiting)
            layout = "in WAL" if in_wal else "checkpointed"
            kind = f"{'byte' if size == 1 else 'page'} in {where} ({layout})"
            outcomes[f"{kind}: {outcome}"] += 1
            if outcome == "quarantined":
                recovered += count
                lost += len(waiting) - count
                lost_by_kind[kind] += len(waiting) - count
            elif outcome.startswith("silent"):
                silent += 1
            shutil.rmtree(trial)
    return {
        "damages_tried": trials,
        "kinds": dict(sorted(outcomes.items())),
        "requests_recovered": recovered,
        "requests_lost": lost,  # all detected: the outbox was quarantined and reported
        "lost_by_kind": dict(sorted(lost_by_kind.items())),
        "silent_losses": silent,
        "false_alarms": false_alarms,
        "seconds": round(time.monotonic() - started, 1),
    }


def run_worker(home: Path, *arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.faults.outbox_kill_worker", *arguments],
                            stdout=subprocess.PIPE, text=True, cwd=REPO, env=child_env(home))


KILLS = 15


@pytest.mark.slow
def test_sigkill_while_enqueueing_delivering_and_purging_is_never_a_loss_nor_an_alarm(
    tmp_path: Path, keys: tuple[str, str]
) -> None:
    db = tmp_path / "outbox.sqlite3"
    rng = random.Random(SEED)
    seen: dict[str, set[str]] = {"committed": set(), "delivering": set(), "delivered": set()}
    for run in range(KILLS):
        worker = run_worker(tmp_path, "work", str(db), keys[1], str(run))
        assert worker.stdout is not None
        ready = worker.stdout.readline()
        assert ready == "ready\n", f"start {run} after a SIGKILL: {ready!r}"  # a refusal here is a false alarm
        time.sleep(rng.uniform(0.0, 0.15))
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        for line in worker.stdout.read().splitlines(keepends=True):
            kind, _, request_id = line.strip().partition(" ")
            if line.endswith("\n") and kind in seen:  # a line the kill cut short says nothing
                seen[kind].add(request_id)
        worker.stdout.close()
        inspection = check_outbox(db)
        assert inspection.condition is Condition.HEALTHY, (run, inspection)
    committed, delivered = seen["committed"], seen["delivered"]
    with Outbox(db) as outbox:
        gone = {request_id for request_id in committed if outbox.get(request_id) is None}
        purged = int(outbox._connection.execute("SELECT value FROM facts WHERE name = 'purged'").fetchone()[0])
        stored = int(outbox._connection.execute("SELECT value FROM facts WHERE name = 'committed'").fetchone()[0])
    # Every request the patient was told about is still there, or was delivered and then purged.
    assert gone <= seen["delivering"] and len(gone) <= purged, sorted(gone - seen["delivering"])
    assert stored >= len(committed)
    assert json.loads(ledger_path(db).read_text())["committed"] >= len(committed) - 1
    print(f"\n{KILLS} SIGKILLs: {len(committed)} committed, {len(delivered)} delivered, {purged} purged, "
          "0 missing, 0 false alarms")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["header", "wal_frame"])
def test_sigkill_at_every_step_of_a_quarantine_loses_no_envelope(
    kind: str, tmp_path: Path, keys: tuple[str, str]
) -> None:
    steps = 0
    while True:
        steps += 1
        assert steps < 40, "the quarantine never ran to its end"
        home = tmp_path / f"step-{steps}"
        home.mkdir()
        path = make_damaged(kind, home, keys)
        worker = run_worker(home, "quarantine", str(path), keys[1], str(steps))
        assert worker.stdout is not None
        finished = worker.stdout.read() == "done\n"
        worker.stdout.close()
        assert worker.wait(30) == (0 if finished else -signal.SIGKILL)
        # The next start: whatever the crash left is moved aside into one set, and nothing stays in place.
        with pytest.raises(OutboxUnavailable):
            open_outbox(path, keys[1])
        assert len(pending_sets(path)) == 1, steps
        assert not [item.name for item in home.iterdir() if item.name.startswith("outbox.")], steps
        count, _notes = export_everything(path, home / "usb", "campaign")
        assert count >= COMMITTED - 2, (steps, count)
        if finished:
            break
    print(f"\n{kind}: quarantine cut by SIGKILL at each of its {steps - 1} steps, every envelope exported")
