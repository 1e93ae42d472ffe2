"""One kiosk on a private X server and a private D-Bus session, with an AT-SPI client beside it.

The kiosk runs from the project's Python (tests/a11y/kiosk_driver.py); the client from Debian's system Python,
which has pyatspi (tests/a11y/atspi_client.py). The accessibility bus is started by D-Bus activation
(at-spi-bus-launcher) inside the private session, so nothing reaches the desktop of whoever runs the tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"
# Debian packages (scripts/setup --dev) and what shows that each is there.
NEEDED = {"xvfb": "/usr/bin/Xvfb", "dbus": "/usr/bin/dbus-daemon",
          "at-spi2-core": "/usr/libexec/at-spi-bus-launcher"}
ANSWER_SECONDS = 30.0


def missing_packages() -> list[str]:
    missing = [package for package, program in NEEDED.items() if not Path(program).exists()]
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True) \
        if Path(SYSTEM_PYTHON).exists() else None
    if probe is None or probe.returncode != 0:
        missing.append("python3-pyatspi")
    return missing


class SessionError(RuntimeError):
    pass


@dataclass
class A11ySession:
    size: tuple[int, int]
    folder: Path
    language_env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, extra_env: dict[str, str]) -> A11ySession:
        from tests.e2e.cage_session import start_xvfb

        self.folder.mkdir(parents=True, exist_ok=True)
        log = self.folder / "session.log"
        base = {key: value for key, value in os.environ.items()
                if key not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "AT_SPI_BUS_ADDRESS")}
        runtime = self.folder / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        base["XDG_RUNTIME_DIR"] = str(runtime)
        xvfb, display = start_xvfb(self.size, base, log)
        self.processes.append(xvfb)
        with log.open("ab") as errors:
            bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                                   stdout=subprocess.PIPE, stderr=errors, env=base, text=True,
                                   start_new_session=True)
        self.processes.append(bus)
        address = bus.stdout.readline().strip()
        if not address:
            raise SessionError(f"dbus-daemon did not start\n{log.read_text(errors='replace')[-2000:]}")
        env = {**base, "DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": address, "NO_AT_BRIDGE": "0"}
        self.env = env
        kiosk_env = {**env, "QT_QPA_PLATFORM": "xcb", "QT_ACCESSIBILITY": "1",
                     "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "PYTHONPATH": str(REPO_ROOT),
                     "KIOSK_HOME": str(self.folder / "home"), "KIOSK_SPEECH_ENABLED": "false",
                     # An attached keyboard: the on-screen one would change the layout under each focused field.
                     "KIOSK_KEYBOARD_VIRTUAL": "false", **extra_env}
        with (self.folder / "kiosk.log").open("ab") as errors:
            self.kiosk = subprocess.Popen(
                [sys.executable, "-m", "tests.a11y.kiosk_driver", f"{self.size[0]}x{self.size[1]}"], cwd=REPO_ROOT,
                env=kiosk_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True,
                start_new_session=True)
        self.processes.append(self.kiosk)
        self._expect(self.kiosk, "READY")
        with (self.folder / "client.log").open("ab") as errors:
            self.client = subprocess.Popen(
                [SYSTEM_PYTHON, str(REPO_ROOT / "tests/a11y/atspi_client.py"), str(self.kiosk.pid)], env=env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True, start_new_session=True)
        self.processes.append(self.client)
        hello = json.loads(self._expect(self.client, "{"))
        if not hello.get("ready"):
            raise SessionError(f"the AT-SPI client did not find the kiosk: {hello}")
        return self

    def _expect(self, process: subprocess.Popen, prefix: str) -> str:
        import selectors

        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + ANSWER_SECONDS
        try:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    break
                if selector.select(0.5):
                    line = process.stdout.readline()
                    if line.startswith(prefix):
                        return line
                    if not line:
                        break
        finally:
            selector.close()
        raise SessionError(f"no answer starting {prefix!r}; logs in {self.folder}\n{self.log_tail()}")

    def log_tail(self) -> str:
        parts = []
        for name in ("kiosk.log", "client.log", "session.log"):
            path = self.folder / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(errors='replace')[-1500:]}")
        return "\n".join(parts)

    def _ask(self, process: subprocess.Popen, request: dict) -> dict:
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        return json.loads(self._expect(process, "{"))

    def kiosk_says(self, cmd: str, **fields) -> dict:
        return self._ask(self.kiosk, {"cmd": cmd, **fields})

    def client_says(self, cmd: str, **fields) -> dict:
        answer = self._ask(self.client, {"cmd": cmd, **fields})
        if "error" in answer:
            raise SessionError(f"AT-SPI client: {answer['error']}")
        return answer

    def tree(self) -> list[dict]:
        return self.client_says("tree")["nodes"]

    def wait_for(self, predicate, what: str, seconds: float = 15.0) -> dict:
        deadline = time.monotonic() + seconds
        state = self.kiosk_says("state")
        while time.monotonic() < deadline:
            if predicate(state):
                return state
            time.sleep(0.1)
            state = self.kiosk_says("state")
        raise SessionError(f"timed out waiting for {what}; last state {state}")

    def close(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, 15)
                except ProcessLookupError:
                    continue
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, 9)
                    process.wait()
        for process in self.processes:
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
        shutil.rmtree(self.folder / "runtime", ignore_errors=True)
