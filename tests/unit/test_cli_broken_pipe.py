"""`kiosk ... | head`: a reader that stops early ends the command quietly, without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import BROKEN_PIPE_EXIT

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_into_closed_pipe(args: list[str], home: Path) -> subprocess.CompletedProcess[bytes]:
    """Runs ``kiosk ARGS`` with stdout a pipe whose reader is already gone, as after `head` has exited."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # before the command starts: its first write fails, always
    env = {name: value for name, value in os.environ.items() if not name.startswith(("KIOSK_", "QT_"))}
    env.update(KIOSK_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO_ROOT))
    try:
        return subprocess.run([sys.executable, "-m", "kiosk", *args], stdout=write_end, stderr=subprocess.PIPE,
                              env=env, cwd=REPO_ROOT, timeout=120, check=False)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [["config", "docs"], ["outbox", "status"]], ids=["config-docs", "outbox-status"])
def test_a_closed_pipe_ends_the_command_quietly(args: list[str], tmp_path: Path) -> None:
    result = run_into_closed_pipe(args, tmp_path)
    assert result.stderr.decode() == ""
    assert result.returncode == BROKEN_PIPE_EXIT


def test_an_open_pipe_still_gets_everything(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("KIOSK_", "QT_"))}
    env.update(KIOSK_HOME=str(tmp_path), PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run([sys.executable, "-m", "kiosk", "config", "docs"], capture_output=True, text=True,
                            env=env, cwd=REPO_ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Configuration\n") and result.stderr == ""
