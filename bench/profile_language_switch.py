"""What a language switch spends its time on, offscreen at 1920x1080, on the home screen and in the reader.

    python bench/profile_language_switch.py [--switches 40]

Each switch is split into the kiosk's handlers (``Translator.set_language`` and everything connected to
``languageChanged``: catalogs, retranslation, the reader's page), the events they post (relayout after the
layout direction and LanguageChange, polish), and the repaint; then a cProfile of the reader's switches
lists the functions that take most of it. The first switch into each language also reads its catalog and
Babel data: the first round is printed apart.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_HOME", tempfile.mkdtemp(prefix="kiosk-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import percentile

from kiosk.app import Kiosk, build_kiosk
from kiosk.config import load_config


def switches(kiosk: Kiosk, count: int) -> list[tuple[float, float, float]]:
    """(handlers, events, repaint) in ms for ``count`` switches, each to the next enabled language."""
    languages = kiosk.translator.enabled
    phases = []
    for _ in range(count):
        target = languages[(languages.index(kiosk.translator.language) + 1) % len(languages)]
        started = time.perf_counter()
        kiosk.translator.set_language(target)
        handled = time.perf_counter()
        kiosk.app.processEvents()
        settled = time.perf_counter()
        kiosk.window.repaint()
        painted = time.perf_counter()
        phases.append(((handled - started) * 1000, (settled - handled) * 1000, (painted - settled) * 1000))
    return phases


def summary(label: str, phases: list[tuple[float, float, float]]) -> None:
    totals = [sum(phase) for phase in phases]
    parts = [statistics.median(phase[index] for phase in phases) for index in range(3)]
    print(f"{label}: median {statistics.median(totals):.1f} ms, p95 {percentile(totals, 0.95):.1f} ms "
          f"(handlers {parts[0]:.1f}, events {parts[1]:.1f}, repaint {parts[2]:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--switches", type=int, default=40)
    args = parser.parse_args()
    kiosk = build_kiosk(load_config(None, environ={}), kiosk_mode=False)
    kiosk.window.resize(1920, 1080)
    kiosk.window.show()
    kiosk.app.processEvents()
    kiosk.navigator.home()
    kiosk.app.processEvents()
    kiosk.finish_startup()  # what a patient meets: the start-up steps have run (catalogs read)
    summary("home, first switch into each language (Babel data, first glyphs of each script)",
            switches(kiosk, len(kiosk.translator.enabled)))
    summary("home", switches(kiosk, args.switches))
    kiosk.navigator.open_section(kiosk.library.section_ids[3])
    kiosk.app.processEvents()
    summary("reader", switches(kiosk, args.switches))
    profile = cProfile.Profile()
    profile.enable()
    switches(kiosk, args.switches)
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(12)
    kiosk.shutdown()


if __name__ == "__main__":
    main()
