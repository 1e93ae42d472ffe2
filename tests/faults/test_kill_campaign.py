"""Kill campaign: the kiosk-side process is SIGKILLed at >= 50 random moments while it enqueues and
delivers 1,000 requests, and restarted each time. At the end the receiver (a separate process) holds
every request exactly once and the kiosk has nothing undelivered.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kiosk.outbox.store import Outbox
from tests.faults.conftest import REPO, TOKEN, ReceiverProcess, child_env

TOTAL = 1000
MIN_KILLS = 50


@pytest.mark.slow
def test_kill_9_at_random_points_loses_and_duplicates_nothing(
    tmp_path: Path, keys: tuple[str, str], receiver_process: ReceiverProcess
) -> None:
    receiver_process.start()
    db = tmp_path / "kiosk-outbox.sqlite3"
    command = [sys.executable, "-m", "tests.faults.kill_worker", str(db), keys[1], receiver_process.url,
               TOKEN, str(TOTAL)]
    rng = random.Random(20261128)
    kills = 0
    runs = 0
    resumed_at: list[int] = []
    finished = False
    deadline = time.monotonic() + 150
    while not finished:
        assert time.monotonic() < deadline, f"campaign did not finish ({kills} kills, {runs} runs)"
        runs += 1
        worker = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO,
                                  env=child_env(tmp_path / "kiosk-home"))
        assert worker.stdout is not None
        ready = worker.stdout.readline()
        assert ready.startswith("ready"), ready
        resumed_at.append(int(ready.split()[1]))
        if kills < MIN_KILLS:
            # Short lives: each run gets a few enqueues and deliveries done before the kill lands (short enough
            # that a fast machine does not finish all the requests before the fiftieth kill).
            time.sleep(rng.uniform(0.0, 0.06))
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                kills += 1
        worker.wait(60)
        finished = worker.returncode == 0 and "done" in worker.stdout.read()
        worker.stdout.close()

    assert kills >= MIN_KILLS
    assert any(0 < value < TOTAL for value in resumed_at), "some kills landed while still enqueueing"

    stored = receiver_process.stored()
    names = Counter(name for _, name, _ in stored)
    assert len(stored) == TOTAL, f"{len(stored)} stored"
    assert set(names) == {f"Patient {index:04d}" for index in range(TOTAL)}
    assert max(names.values()) == 1, "a request reached the hospital twice"
    assert len({request_id for request_id, _, _ in stored}) == TOTAL

    receipts = {request_id: receipt for request_id, _, receipt in stored}
    with Outbox(db) as outbox:
        status = outbox.status()
        assert status.undelivered == 0 and status.delivered == TOTAL
        mismatched = [request_id for request_id, receipt in receipts.items()
                      if (record := outbox.get(request_id)) is None or record.receipt != receipt]
        assert mismatched == []
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
