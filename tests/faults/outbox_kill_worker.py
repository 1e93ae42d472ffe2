"""Kiosk-side process for the outbox's SIGKILL tests; it is killed at any moment and started again.

``python -m tests.faults.outbox_kill_worker work DB PUBLIC_KEY SEED``: open the outbox the way the kiosk
does and enqueue, deliver and purge for ever, printing ``committed ID`` once ``enqueue`` has returned,
``delivering ID`` before a delivery and ``delivered ID`` once ``mark_delivered`` has returned;
``refused REASON`` (exit 3) if the outbox is refused.

``python -m tests.faults.outbox_kill_worker quarantine DB PUBLIC_KEY STEP``: open a damaged outbox, the
process killing itself with SIGKILL just before its STEP-th file-system change (mkdir, fsync, rename),
so that every point of the quarantine is cut once; prints ``done`` when it got through.
"""

from __future__ import annotations

import os
import random
import signal
import sys
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from kiosk.outbox.opening import OutboxUnavailable, open_outbox
from tests.faults.kill_worker import request_number


def work(db: str, public_key: str, seed: str) -> int:
    rng = random.Random(int(seed))
    try:
        outbox = open_outbox(Path(db), public_key)
    except OutboxUnavailable as error:
        print(f"refused {error}", flush=True)
        return 3
    print("ready", flush=True)
    number = 0
    while True:
        number += 1
        queued = outbox.enqueue(request_number(number))
        print(f"committed {queued.id}", flush=True)
        for pending in outbox.due(limit=3)[:rng.randrange(3)]:
            # Printed before the receipt is recorded: a kill right after it may leave a delivered row that a
            # later purge removes without a "delivered" line.
            print(f"delivering {pending.id}", flush=True)
            if outbox.claim(pending.id) and outbox.mark_delivered(pending.id, f"receipt-{pending.id}"):
                print(f"delivered {pending.id}", flush=True)
        if rng.random() < 0.2:
            outbox.purge_delivered_older_than(-1.0)  # retention 0: every delivered row goes


def killing_before(step: int, names: tuple[str, ...] = ("mkdir", "fsync", "replace", "rename")) -> None:
    count = [0]

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            count[0] += 1
            if count[0] == step:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*args, **kwargs)
        return call

    for name in names:
        setattr(os, name, wrap(getattr(os, name)))


def quarantine(db: str, public_key: str, step: str) -> int:
    killing_before(int(step))
    with suppress(OutboxUnavailable):
        open_outbox(Path(db), public_key)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    mode, *arguments = sys.argv[1:]
    raise SystemExit({"work": work, "quarantine": quarantine}[mode](*arguments))
