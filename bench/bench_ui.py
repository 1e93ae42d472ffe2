"""Section switch time (200 switches), language switch time (100 switches) and peak memory.

    python bench/bench_ui.py

A switch is timed from the intent (as a tap would emit it) until the new page is laid out and painted
(``repaint()`` forces the paint synchronously).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_HOME", tempfile.mkdtemp(prefix="kiosk-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import median, percentile, report

from kiosk.app import build_kiosk
from kiosk.config import load_config


def main() -> None:
    config = load_config(None, environ={})
    kiosk = build_kiosk(config, kiosk_mode=False)
    kiosk.window.resize(1920, 1080)
    kiosk.window.show()
    kiosk.app.processEvents()
    sections = kiosk.library.section_ids
    kiosk.navigator.open_section(sections[0])

    section_times = []
    for index in range(200):
        started = time.perf_counter()
        kiosk.navigator.open_section(sections[(index + 1) % len(sections)])
        kiosk.window.repaint()
        section_times.append((time.perf_counter() - started) * 1000)
    report("section_switch_median", median(section_times), "ms")
    report("section_switch_p95", percentile(section_times, 0.95), "ms")

    languages = kiosk.translator.enabled
    kiosk.navigator.open_section("surgery")
    language_times = []
    for index in range(100):
        started = time.perf_counter()
        kiosk.translator.set_language(languages[(index + 1) % len(languages)])
        kiosk.window.repaint()
        language_times.append((time.perf_counter() - started) * 1000)
    report("language_switch_median", median(language_times), "ms")
    report("language_switch_p95", percentile(language_times, 0.95), "ms")

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report("peak_rss", peak_kb / 1024, "MB")
    kiosk.shutdown()


if __name__ == "__main__":
    main()
