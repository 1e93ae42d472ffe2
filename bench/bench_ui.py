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
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_HOME", tempfile.mkdtemp(prefix="kiosk-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import median, percentile, report

from kiosk.app import build_kiosk
from kiosk.config import load_config


def timed(count: int, action: Callable[[int], object], paint: Callable[[], object]) -> list[float]:
    """Milliseconds from each action (as a tap would trigger it) to its frame painted."""
    times = []
    for index in range(count):
        started = time.perf_counter()
        action(index)
        paint()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    config = load_config(None, environ={})
    kiosk = build_kiosk(config, kiosk_mode=False)
    kiosk.window.resize(1920, 1080)
    kiosk.window.show()
    kiosk.app.processEvents()
    sections = kiosk.library.section_ids
    kiosk.navigator.open_section(sections[0])

    section_times = timed(200, lambda index: kiosk.navigator.open_section(sections[(index + 1) % len(sections)]),
                          kiosk.window.repaint)
    report("section_switch_median", median(section_times), "ms")
    report("section_switch_p95", percentile(section_times, 0.95), "ms")

    languages = kiosk.translator.enabled
    kiosk.navigator.open_section("surgery")
    language_times = timed(100, lambda index: kiosk.translator.set_language(languages[(index + 1) % len(languages)]),
                           kiosk.window.repaint)
    report("language_switch_median", median(language_times), "ms")
    report("language_switch_p95", percentile(language_times, 0.95), "ms")

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report("peak_rss", peak_kb / 1024, "MB")
    kiosk.shutdown()


if __name__ == "__main__":
    main()
