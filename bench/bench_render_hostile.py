"""Render time of hostile and large pages, each just under and just over a content limit.

For every case of ``tests/fixtures/hostile_archives/pages.py`` (and, for comparison, the slowest shipped
page) this prints the median of several runs of

* ``markdown``: Markdown -> sanitised HTML (``render_markdown``, limits included; a refused page is the time
  it takes to refuse it), and
* ``reader``: that HTML set into the reader's QTextBrowser offscreen (``ReaderScreen.show_page``), laid out
  and painted once.

Every accepted page should stay under 100 ms in total. Run from the repository root::

    QT_QPA_PLATFORM=offscreen python bench/bench_render_hostile.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench._common import median

REPO = Path(__file__).resolve().parents[1]


def _content_folder(root: Path) -> Path:
    """A one-section content folder with the shipped diagram, so image cases load a real SVG."""
    (root / "en").mkdir(parents=True)
    (root / "assets").mkdir()
    shutil.copy(REPO / "content" / "assets" / "dbs-diagram.svg", root / "assets" / "diagram.svg")
    (root / "manifest.toml").write_text(
        'id = "bench"\nversion = 1\ndefault_language = "en"\n[[sections]]\nid = "intro"\nicon = ""\n',
        encoding="utf-8")
    (root / "en" / "intro.md").write_text("# Intro\n\ntext\n", encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from kiosk.bundle.library import ContentLibrary
    from kiosk.bundle.render import render_markdown
    from kiosk.ui.reader import ReaderScreen
    from tests.fixtures.hostile_archives.pages import PAGES, body

    app = QApplication.instance() or QApplication(["bench"])
    with tempfile.TemporaryDirectory() as scratch:
        library = ContentLibrary(_content_folder(Path(scratch) / "content"))
        reader = ReaderScreen(library.resolve_asset)
        reader.resize(1920, 1080)
        reader.show()
        app.processEvents()

        def exists(relative: str) -> bool:
            return library.resolve_asset(relative) is not None

        def measure(text: str) -> tuple[float, float, str]:
            markdown_ms, reader_ms = [], []
            verdict = "accepted"
            for _ in range(args.runs):
                start = time.perf_counter()
                result = render_markdown(text, "en", ("intro",), image_exists=exists)
                markdown_ms.append((time.perf_counter() - start) * 1000)
                verdict = f"refused ({result.refused.code})" if result.refused else "accepted"
                start = time.perf_counter()
                reader.show_page("Bench", result.html, 1, 1, rtl=False)
                reader.browser.document().documentLayout().documentSize()
                reader.browser.viewport().grab()
                reader_ms.append((time.perf_counter() - start) * 1000)
            return median(markdown_ms), median(reader_ms), verdict

        render_markdown("warm-up", "en", ())
        shipped = ContentLibrary(REPO / "content")
        slowest = max(
            ((shipped.source(section, language).body, f"{language}/{section}.md")
             for section in shipped.section_ids for language in shipped.languages()
             if shipped.source(section, language) is not None),
            key=lambda item: sum(measure(item[0])[:2]),
        )
        rows = [(f"shipped page (slowest: {slowest[1]})", slowest[0], None)]
        rows += [(name, body(name), code) for name, (_make, code) in PAGES.items()]
        print(f"{'case':42} {'source':>10} {'markdown ms':>12} {'reader ms':>10} {'total ms':>9}  verdict")
        worst_accepted = 0.0
        for name, text, expected in rows:
            markdown_ms, reader_ms, verdict = measure(text)
            total = markdown_ms + reader_ms
            if verdict == "accepted":
                worst_accepted = max(worst_accepted, total)
            mismatch = "" if (expected is None) == (verdict == "accepted") else "  (UNEXPECTED)"
            print(f"{name:42} {len(text.encode()):>10,} {markdown_ms:>12.1f} {reader_ms:>10.1f} {total:>9.1f}  "
                  f"{verdict}{mismatch}", flush=True)
        print(f"slowest accepted page: {worst_accepted:.1f} ms (median of {args.runs} runs)")
        reader.close()


if __name__ == "__main__":
    main()
