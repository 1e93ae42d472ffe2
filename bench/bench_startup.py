"""Process start to first painted frame: the kiosk against a bare PySide6 window, in the same run.

    python bench/bench_startup.py [--runs 7]

Runs both alternately (so machine noise hits both alike) and prints medians and their ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median, report

ROOT = Path(__file__).resolve().parent.parent


def first_frame(command: list[str], home: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "KIOSK_BENCH_T0": repr(time.time()), "KIOSK_HOME": home}
    output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    line = next(line for line in output.stdout.splitlines() if line.startswith("first_frame_s:"))
    return float(line.split(":")[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    kiosk, bare = [], []
    with tempfile.TemporaryDirectory() as home:
        first_frame([sys.executable, "-m", "kiosk", "run", "--windowed"], home)  # warm the file cache
        for _ in range(args.runs):
            bare.append(first_frame([sys.executable, str(ROOT / "bench" / "bare_window.py")], home))
            kiosk.append(first_frame([sys.executable, "-m", "kiosk", "run", "--windowed"], home))
    report("startup_first_frame_kiosk_median", median(kiosk) * 1000, "ms")
    report("startup_first_frame_bare_pyside6_median", median(bare) * 1000, "ms")
    report("startup_ratio_kiosk_to_bare", median(kiosk) / median(bare), "x")


if __name__ == "__main__":
    main()
