"""``kiosk run``, ``kiosk check`` and ``kiosk screenshot``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import paths
from kiosk.config import ConfigError, load_config

if TYPE_CHECKING:
    from kiosk.app import Kiosk
    from kiosk.stop_signals import StopSignals


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="run the kiosk (the default command)")
    run.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    _content_and_config(run)
    run.set_defaults(func=_run)

    preview = subparsers.add_parser("preview", help="the kiosk in a window on a content folder being edited: "
                                    "reloads on save, shows validation problems")
    preview.add_argument("folder", type=Path, help="content folder (manifest.toml, <lang>/<section>.md)")
    preview.add_argument("--config", type=Path, default=None, help="configuration file (TOML)")
    preview.set_defaults(func=_preview)

    check = subparsers.add_parser("check", help="offscreen self-test of the content; non-zero on any problem")
    _content_and_config(check)
    check.add_argument("--json", action="store_true", help="print a JSON object instead of a summary line")
    check.set_defaults(func=_check)

    shot = subparsers.add_parser("screenshot", help="render one screen offscreen to a PNG")
    shot.add_argument("--screen", required=True,
                      help="attract, home, reader:<section>, languages, form, done, admin")
    shot.add_argument("--lang", default=None, help="language code (default: the configured default)")
    shot.add_argument("--size", default="1920x1080", help="WIDTHxHEIGHT in pixels (default 1920x1080)")
    shot.add_argument("--text-size", type=int, choices=(0, 1, 2), default=0, help="text size step")
    shot.add_argument("--high-contrast", action="store_true", help="the high-contrast theme")
    shot.add_argument("--keyboard", nargs="?", const="full_name", default="", metavar="FIELD",
                      help="with the on-screen keyboard open for a form field (--screen form; default full_name; "
                      "also country, phone, email, age, description)")
    shot.add_argument("--out", required=True, type=Path, help="PNG file to write")
    _content_and_config(shot)
    shot.set_defaults(func=_screenshot)


def _content_and_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=None, help="content folder (default: installed/shipped)")
    parser.add_argument("--config", type=Path, default=None, help="configuration file (TOML)")


def _load(args: argparse.Namespace):
    return load_config(args.config or paths.default_config_path())


def _fail(message: str) -> int:
    print(f"kiosk: {message}", file=sys.stderr)
    return 2


def _refuse_configuration(error: ConfigError) -> int:
    """In the log as well as on stderr: a kiosk started by systemd or cage has no one reading stderr."""
    import logging

    logging.getLogger("kiosk").error("configuration refused: %s", error)
    return _fail(str(error))


def _run(args: argparse.Namespace) -> int:
    from kiosk.app import build_kiosk
    from kiosk.bundle.manifest import ManifestError
    from kiosk.logs import setup_logging

    try:
        config = _load(args)
    except ConfigError as error:
        # The file's own log settings are among what failed: log with the defaults.
        setup_logging(load_config(None, environ={}))
        return _refuse_configuration(error)
    try:
        setup_logging(config)
        kiosk = build_kiosk(config, args.content, kiosk_mode=not (args.windowed or config["display.windowed"]))
    except ConfigError as error:
        return _refuse_configuration(error)
    except ManifestError as error:
        return _fail(str(error))
    bench_start = os.environ.get("KIOSK_BENCH_T0")
    if bench_start:
        # Benchmarks measure process start to the first painted frame, then quit.
        def report_first_frame() -> None:
            print(f"first_frame_s: {time.time() - float(bench_start):.4f}", flush=True)
            kiosk.app.quit()

        kiosk.window.firstFramePainted.connect(report_first_frame)
    stop_signals = _stop_on_signals(kiosk)
    kiosk.show()
    code = kiosk.app.exec()
    kiosk.shutdown()
    stop_signals.close()
    return code


def _stop_on_signals(kiosk: Kiosk) -> StopSignals:
    """SIGTERM and SIGINT end the event loop; ``_run`` then shuts the kiosk down as after Exit."""
    import logging
    import signal

    from kiosk.stop_signals import StopSignals

    log = logging.getLogger("kiosk.run")
    stop_signals = StopSignals(kiosk.app)

    def stop(number: int) -> None:
        log.info("%s received: shutting down", signal.Signals(number).name)
        # exit(), not quit(): since Qt 6 quit() first asks the windows to close, and the kiosk window refuses
        # in kiosk mode (Alt+F4), so quit() was ignored and the service manager had to kill the kiosk.
        kiosk.app.exit(0)

    stop_signals.received.connect(stop)
    kiosk.window.firstFramePainted.connect(lambda: log.info("kiosk up (process %d)", os.getpid()))
    return stop_signals


def _preview(args: argparse.Namespace) -> int:
    from kiosk.bundle.manifest import ManifestError

    try:
        config = _load(args)
        from kiosk.preview import Preview

        preview = Preview(config, args.folder)
    except (ConfigError, ManifestError) as error:
        return _fail(str(error))
    preview.show()
    code = preview.kiosk.app.exec()
    preview.kiosk.shutdown()
    return code


def _check(args: argparse.Namespace) -> int:
    from kiosk.app import use_offscreen_platform

    use_offscreen_platform()
    from kiosk.bundle.manifest import ManifestError
    from kiosk.checks import run_check

    try:
        config = _load(args)
        report = run_check(config, args.content)
    except (ConfigError, ManifestError) as error:
        if args.json:
            print(json.dumps({"languages": [], "sections": [], "problems": [str(error)]}))
        return _fail(str(error))
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            print(f"problem: {problem}")
        print(report.summary())
    return 1 if report.problems else 0


def _screenshot(args: argparse.Namespace) -> int:
    from kiosk.app import use_offscreen_platform

    use_offscreen_platform()
    from kiosk.bundle.manifest import ManifestError
    from kiosk.screenshot import ScreenshotError, take_screenshot

    try:
        width, height = (int(part) for part in args.size.lower().split("x"))
    except ValueError:
        return _fail(f"--size must look like 1920x1080, got {args.size!r}")
    try:
        config = _load(args)
        take_screenshot(config, args.screen, args.lang, (width, height), args.out, args.content,
                        text_step=args.text_size, high_contrast=args.high_contrast, keyboard=args.keyboard)
    except (ConfigError, ManifestError, ScreenshotError) as error:
        return _fail(str(error))
    print(f"wrote {args.out}")
    return 0
