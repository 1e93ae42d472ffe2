"""Delivery: drain throughput to a local receiver process, and the sender's CPU use while idle.

Usage: python bench/bench_delivery.py [--count 10000] [--idle-seconds 60]

The receiver runs as its own process (``python -m kiosk.receiver serve``) so it does not share this
process's CPU time or GIL; the figures are for plain HTTP on loopback (TLS adds a handshake per request).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from _common import report  # noqa: E402

from kiosk.outbox.delivery import DeliverySettings  # noqa: E402
from kiosk.outbox.request import ConsultationRequest  # noqa: E402
from kiosk.outbox.sealing import generate_keypair  # noqa: E402
from kiosk.outbox.store import Outbox  # noqa: E402

TOKEN = "bench-token-0123456789abcdef0123"


def request_number(index: int) -> ConsultationRequest:
    return ConsultationRequest(
        full_name=f"Patient {index}", country="TR", phone="+905321234567", email="", contact_language="tr",
        channel="phone", relation="self", age=40, description="", consent=True,
        privacy_notice_version="2026-11", ui_language="tr",
    )


def start_receiver(folder: Path, private_key: str) -> tuple[subprocess.Popen[str], str]:
    key_file = folder / "hospital.key"
    key_file.write_text(private_key)
    env = {**os.environ, "KIOSK_HOME": str(folder / "receiver-home"), "PYTHONPATH": str(ROOT.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.receiver", "serve", "--port", "0", "--db", str(folder / "r.sqlite3"),
         "--private-key", str(key_file), "--token", TOKEN],
        stdout=subprocess.PIPE, text=True, env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        raise SystemExit(f"receiver did not start: {line!r}")
    return process, line.split("listening on ", 1)[1].strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="requests to drain (default: 10000)")
    parser.add_argument("--idle-seconds", type=float, default=60.0,
                        help="how long to measure the idle sender (default: 60)")
    args = parser.parse_args()

    from PySide6.QtCore import QCoreApplication, QTimer

    from kiosk.outbox.sender import Sender

    app = QCoreApplication([])
    private_key, public_key = generate_keypair()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        receiver, url = start_receiver(folder, private_key)
        try:
            with Outbox(folder / "outbox.sqlite3", public_key) as outbox:
                for index in range(args.count):
                    outbox.enqueue(request_number(index))
                settings = DeliverySettings(endpoint=url, kiosk_id="bench", token=TOKEN)
                sender = Sender(outbox, settings)

                started = time.perf_counter()
                cpu_started = time.process_time()
                sender.start()
                while outbox.status().delivered < args.count:
                    app.processEvents()
                    time.sleep(0.05)
                elapsed = time.perf_counter() - started
                drain_cpu = time.process_time() - cpu_started
                report("drain_requests", args.count, "requests")
                report("drain_throughput", args.count / elapsed, "req/s")
                report("drain_kiosk_cpu_per_request", drain_cpu / args.count * 1000, "ms")

                # Idle: empty queue, the Qt event loop running as in the kiosk, nothing to do.
                QTimer.singleShot(int(args.idle_seconds * 1000), app.quit)
                idle_cpu_started = time.process_time()
                app.exec()
                idle_cpu = time.process_time() - idle_cpu_started
                report("idle_seconds", args.idle_seconds, "s")
                report("idle_cpu_time", idle_cpu * 1000, "ms")
                report("idle_cpu_share", idle_cpu / args.idle_seconds * 100, "%")
                sender.stop()
        finally:
            receiver.terminate()
            receiver.wait(10)
            if receiver.stdout is not None:
                receiver.stdout.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
