"""Crash points for the crash-safety test of installation.

``KIOSK_BUNDLE_CRASH_AT=k`` makes the process kill itself with SIGKILL at the k-th checkpoint it passes,
so a test can prove that a kill between *any* two steps leaves the store with the old or the new bundle
active and nothing in between. Unset (always, outside that test), ``checkpoint`` only counts.
"""

from __future__ import annotations

import os
import signal

_ENV = "KIOSK_BUNDLE_CRASH_AT"
_target = int(os.environ.get(_ENV, "0") or "0")
_passed = 0


def checkpoint(step: str) -> None:
    """Mark a point between two durable steps (``step`` names it for whoever reads a trace)."""
    global _passed
    _passed += 1
    if _target and _passed == _target:
        os.write(2, f"crash point {_passed}: {step}\n".encode())
        kill = getattr(signal, "SIGKILL", None)
        if kill is None:  # pragma: no cover - Windows has no SIGKILL; _exit skips all clean-up too
            os._exit(137)
        os.kill(os.getpid(), kill)
