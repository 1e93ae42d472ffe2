"""Enqueue latency of the outbox: seal + durable commit (WAL, synchronous=FULL), as the form sees it.

Usage: python bench/bench_outbox.py [--count 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT.parent))
from _common import median, percentile, report  # noqa: E402

from kiosk.outbox.request import validate_form  # noqa: E402
from kiosk.outbox.sealing import generate_keypair  # noqa: E402
from kiosk.outbox.store import Outbox  # noqa: E402

FIELDS = {
    "full_name": "Ayşe Yılmaz", "country": "TR", "phone": "0532 123 45 67", "email": "ayse@example.com",
    "contact_language": "tr", "channel": "whatsapp", "relation": "self", "age": "42",
    "description": "Boyun distonisi, 2019'dan beri. " * 10, "consent": True,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000, help="requests to enqueue (default: 1000)")
    args = parser.parse_args()
    _, public_key = generate_keypair()
    with (
        tempfile.TemporaryDirectory() as folder,
        Outbox(Path(folder) / "outbox.sqlite3", public_key) as outbox,
    ):
        validation = []
        latencies = []
        for _ in range(args.count):
            started = time.perf_counter()
            request = validate_form(FIELDS).request
            validated = time.perf_counter()
            assert request is not None
            outbox.enqueue(request)
            done = time.perf_counter()
            validation.append(validated - started)
            latencies.append(done - validated)
        size = outbox.path.stat().st_size
    report("validate_form_median", median(validation) * 1000, "ms")
    report("enqueue_median", median(latencies) * 1000, "ms")
    report("enqueue_p99", percentile(latencies, 0.99) * 1000, "ms")
    report("enqueue_max", max(latencies) * 1000, "ms")
    report("outbox_bytes_per_request", size / args.count, "bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
