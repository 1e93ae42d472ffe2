"""``kiosk run`` as systemd and a terminal stop it: SIGTERM and SIGINT shut it down in order and exit 0.

The two-second bound is the contract with the service manager (it kills what has not stopped), not a
performance figure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

STOP_CONTRACT_SECONDS = 2.0


def wait_for_line(log: Path, text: str, process: subprocess.Popen, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text(encoding="utf-8") if log.exists() else ""
        if text in content:
            return content
        if process.poll() is not None:
            pytest.fail(f"kiosk exited with {process.returncode} before {text!r}:\n{content}")
        time.sleep(0.1)
    pytest.fail(f"{text!r} not in {log} after {timeout} s")


@pytest.mark.parametrize("mode", [["--windowed"], []], ids=["windowed", "kiosk-mode"])
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_shuts_the_kiosk_down_in_order(kiosk_home: Path, number: signal.Signals, mode: list[str]):
    """Also in kiosk mode, whose window refuses to be closed (Alt+F4 must not reach the desktop)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KIOSK_HOME": str(kiosk_home)}
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "run", *mode], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = kiosk_home / "logs" / "kiosk.log"
    try:
        wait_for_line(log, "kiosk up", process)
        wait_for_line(log, "speech engine mock ready", process)  # everything after the first frame has started
        process.send_signal(number)
        _out, errors = process.communicate(timeout=STOP_CONTRACT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, errors
    content = log.read_text(encoding="utf-8")
    assert f"{number.name} received: shutting down" in content
    assert content.rstrip().endswith("kiosk shut down in order"), content[-2000:]
    assert "Traceback" not in content and "KeyboardInterrupt" not in errors
