"""Screenshots of the kiosk under cage, taken by grim, at every output size the tests use.

    python -m tests.e2e.cage_screenshots OUT [--size WxH ...] [STEP ...]

Writes OUT/cage-<W>x<H>-<step>.png (default steps: the start screen in en and ar, the form in en, ar and ru)
and prints where each window was relative to the output. Run as root (cage then runs as kiosk-cage) or as
any user.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from tests.e2e.cage_session import CageKiosk, compositor_account, missing_tools, prepare_runtime

DEFAULT_STEPS = ["start:en", "start:ar", "form:en", "form:ar", "form:ru"]
DEFAULT_SIZES = ["1280x720", "1920x1080", "1080x1920"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cage_screenshots")
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", action="append", help="WxH (default: 1280x720, 1920x1080, 1080x1920)")
    parser.add_argument("steps", nargs="*", metavar="STEP")
    args = parser.parse_args(argv)
    sizes = [tuple(int(part) for part in size.split("x")) for size in args.size or DEFAULT_SIZES]
    steps = args.steps or DEFAULT_STEPS
    account = compositor_account()
    if isinstance(account, str):
        print(account, file=sys.stderr)
        return 1
    runtime = prepare_runtime(account)
    try:
        for size in sizes:
            missing = missing_tools()
            if missing:
                print(f"not installed: {', '.join(missing)}", file=sys.stderr)
                return 1
            # X11-backed output: grim cannot photograph the headless one (CageKiosk.headless)
            session = CageKiosk(account, runtime, size, headless=False).start(steps)  # type: ignore[arg-type]
            try:
                for _ in steps:
                    ready = session.wait_ready()
                    out = args.out / f"cage-{size[0]}x{size[1]}-{ready.step.replace(':', '-')}.png"
                    session.screenshot(out)
                    print(f"{out}: window {ready.facts['window']} on a {ready.facts['screen']} output")
                    session.next()
                session.driver.wait_exit()
            finally:
                session.close()
    finally:
        if runtime.stage is not None:
            shutil.rmtree(runtime.stage, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
