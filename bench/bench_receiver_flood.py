"""Reference receiver under a flood: N simultaneous connections, each a real sealed request.

Usage: python bench/bench_receiver_flood.py [--clients 1000] [--rounds 5] [-- receiver serve options]

The receiver runs as its own process with its default limits (or the options given after ``--``);
this process opens every connection first, sends every request, then waits for all answers together.
Prints, per round and as medians: answers 200 and 503, connections without an answer, seconds until the
last answer, and the receiver's most threads (from /proc).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT.parent))
from _common import median, report  # noqa: E402

from kiosk.outbox.sealing import generate_keypair  # noqa: E402
from tests.receiver_clients import flood, request_for, sealed_document  # noqa: E402

TOKEN = "bench-token-0123456789abcdef0123"


def start_receiver(folder: Path, private_key: str, extra: list[str]) -> tuple[subprocess.Popen[str], int]:
    key_file = folder / "hospital.key"
    key_file.write_text(private_key)
    env = {**os.environ, "KIOSK_HOME": str(folder / "home"), "PYTHONPATH": str(ROOT.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.receiver", "serve", "--port", "0", "--db", str(folder / "r.sqlite3"),
         "--private-key", str(key_file), "--token", TOKEN, *extra],
        stdout=subprocess.PIPE, text=True, env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        raise SystemExit(f"receiver did not start: {line!r}")
    return process, int(line.rsplit(":", 1)[1].split("/", 1)[0])


def thread_count(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("serve_options", nargs="*", help="options for 'receiver serve' (after --)")
    args = parser.parse_args()
    private_key, public_key = generate_keypair()
    figures: dict[str, list[float]] = {"ok": [], "busy": [], "unanswered": [], "seconds": [], "threads": []}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        receiver, port = start_receiver(folder, private_key, args.serve_options)
        try:
            for round_number in range(args.rounds):
                requests = [request_for(sealed_document(public_key), "/v1/requests", TOKEN)
                            for _ in range(args.clients)]
                most = [0]
                stop = threading.Event()

                def sample(most: list[int] = most, stop: threading.Event = stop) -> None:
                    while not stop.wait(0.005):
                        most[0] = max(most[0], thread_count(receiver.pid))

                sampler = threading.Thread(target=sample)
                sampler.start()
                result = flood(port, requests, give_up_after=120.0)
                stop.set()
                sampler.join()
                statuses = [reply.status for reply in result.replies]
                ok, busy = statuses.count(200), statuses.count(503)
                print(f"round {round_number + 1}: {ok} x 200, {busy} x 503, "
                      f"{args.clients - ok - busy} unanswered, {result.seconds:.2f} s, {most[0]} threads")
                figures["ok"].append(ok)
                figures["busy"].append(busy)
                figures["unanswered"].append(args.clients - ok - busy)
                figures["seconds"].append(result.seconds)
                figures["threads"].append(most[0])
        finally:
            receiver.terminate()
            receiver.wait(10)
            if receiver.stdout is not None:
                receiver.stdout.close()
    report("clients", args.clients, "connections")
    report("answered_200_median", median(figures["ok"]), "connections")
    report("answered_503_median", median(figures["busy"]), "connections")
    report("unanswered_max", max(figures["unanswered"]), "connections")
    report("all_answered_median", median(figures["seconds"]), "s")
    report("receiver_threads_max", max(figures["threads"]), "threads")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
