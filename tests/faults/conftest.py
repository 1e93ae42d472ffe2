"""Fixtures for fault tests: the receiver as a real separate process, the hospital's keys, helpers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.receiver.store import ReceiverStore

REPO = Path(__file__).resolve().parents[2]
TOKEN = "fault-campaign-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env(home: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("KIOSK_")}
    env["KIOSK_HOME"] = str(home)
    env["PYTHONPATH"] = str(REPO)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


class ReceiverProcess:
    """``python -m kiosk receiver serve`` on a fixed port, startable and stoppable at will."""

    def __init__(self, workdir: Path, private_key_b64: str, *, port: int | None = None,
                 tokens: tuple[str, ...] = (TOKEN,)) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.db = workdir / "receiver.sqlite3"
        self.key_file = workdir / "hospital.key"
        self.key_file.write_text(private_key_b64 + "\n")
        self.tokens = tokens
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/requests"

    def start(self) -> ReceiverProcess:
        command = [sys.executable, "-m", "kiosk", "receiver", "serve", "--port", str(self.port),
                   "--db", str(self.db), "--private-key", str(self.key_file)]
        for token in self.tokens:
            command += ["--token", token]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO,
                                        env=child_env(self.workdir / "receiver-home"))
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("listening on"), f"receiver did not start: {line!r}"
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    def stored(self) -> list[tuple[str, str, str]]:
        """(id, full name, receipt) of every stored request."""
        with ReceiverStore(self.db) as store:
            rows = store.stored()
        return [(row.id, json.loads(row.request_json)["full_name"], row.receipt) for row in rows]



@pytest.fixture
def receiver_process(tmp_path: Path, keys: tuple[str, str]) -> Iterator[ReceiverProcess]:
    receiver = ReceiverProcess(tmp_path, keys[0])
    yield receiver
    receiver.stop()
