"""The speech host: a small process of its own that owns Qt's text-to-speech engine (``kiosk speech-host``).

Why a process and not a thread: the engine's client library blocks inside its calls when speech-dispatcher
or the audio output hangs, and PySide keeps the interpreter lock through those calls, so a hung engine on
any thread of the kiosk's process would stop the kiosk's Python code too (measured: the GUI thread's timers
stopped while a thread was creating the engine against a socket that never answers). A hung or crashed host
is killed and forgotten; the kiosk never waits on it.

Protocol: one JSON object per line. The kiosk writes commands to stdin::

    {"cmd": "say", "serial": 3, "token": 7, "text": "...", "locale": "de_DE"}
    {"cmd": "pause" | "resume" | "stop", "serial": 4}
    {"cmd": "quit"}

and reads events from stdout::

    {"event": "ready", "engine": "speechd", "locales": ["de_DE", ...]}
    {"event": "failed", "reason": "..."}                    (no engine: the host then exits)
    {"event": "ack", "serial": 3}                           (the call returned)
    {"event": "started", "token": 7} / {"event": "finished", "token": 7}
    {"event": "error", "reason": "..."}                     (the engine went into its error state)
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

MOCK_ENGINE = "mock"
SPEECHD_ENGINE = "speechd"
_output_lock = threading.Lock()


def main(engine_name: str) -> int:
    # speech-dispatcher is spoken to directly on Linux: the host then loads no Qt at all (27 MB less). Qt's
    # module stays for the platforms' own engines and for its mock engine.
    if engine_name in ("", SPEECHD_ENGINE) and sys.platform.startswith("linux"):
        from kiosk.speech.ssip_host import main as speak_ssip

        return speak_ssip()
    from kiosk.speech.qt_host import main as speak_with_qt

    return speak_with_qt(engine_name)


def emit(event: str, **fields: Any) -> None:
    """Write one event line to the kiosk (from any thread)."""
    with _output_lock:
        sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
        sys.stdout.flush()


def register(subparsers) -> None:
    """``kiosk speech-host``: started by the kiosk itself, not by people (hidden from the command list)."""
    import argparse

    host = subparsers.add_parser("speech-host", help=argparse.SUPPRESS)
    host.add_argument("--engine", default="", help="Qt text-to-speech engine (empty: the platform's default)")
    host.set_defaults(func=lambda args: main(args.engine))
