"""Kiosk-side process for the kill campaign: enqueue requests 0..TOTAL-1 and deliver them.

Run as ``python -m tests.faults.kill_worker DB PUBLIC_KEY URL TOKEN TOTAL``; it may be SIGKILLed at any
moment and is simply started again. It resumes enqueueing at the number of rows already in the outbox:
rows are committed one enqueue at a time, in order, so that count is exactly how far it got. It prints
``done`` and exits 0 once every request is enqueued and delivered.
"""

from __future__ import annotations

import random
import sys
import time

from kiosk.outbox.delivery import DeliverySettings
from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.store import Outbox
from kiosk.outbox.worker import DeliveryWorker


def request_number(index: int) -> ConsultationRequest:
    return ConsultationRequest(
        full_name=f"Patient {index:04d}", country="TR", phone="+905321234567", email="",
        contact_language="tr", channel="phone", relation="self", age=40, description="", consent=True,
        privacy_notice_version="2026-11", ui_language="tr",
    )


def main(argv: list[str]) -> int:
    db, public_key, url, token, total_text = argv
    total = int(total_text)
    settings = DeliverySettings(endpoint=url, kiosk_id="lobby-kill", token=token, connect_timeout=2.0,
                                deadline=2.0, backoff_base=0.02, backoff_cap=0.2)
    rng = random.Random()
    with Outbox(db, public_key) as outbox:
        worker = DeliveryWorker(outbox, settings, batch_size=5)
        worker.start()
        status = outbox.status()
        next_index = status.queued + status.sending + status.delivered + status.needs_attention
        print(f"ready {next_index}", flush=True)
        for index in range(next_index, total):
            outbox.enqueue(request_number(index))
            worker.wake()
            # Pace the enqueues so kills land while enqueueing and delivering overlap.
            time.sleep(rng.uniform(0, 0.002))
        while outbox.status().undelivered:
            time.sleep(0.02)
        worker.stop(5)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
