"""Real speech-dispatcher servers, private to a folder, and a socket that never answers: for the speech
tests and bench/bench_speech.py.

``start_speech_dispatcher(folder, audio="null")`` runs speech-dispatcher with espeak-ng, its own
configuration, socket, log and pid file in ``folder``; audio goes to libao's null driver (nothing is heard,
utterances begin and end as usual). ``audio="missing"`` points it at an audio device that does not exist:
the server accepts text, begins to speak and never ends, and then hangs in ``stop``, as with a missing or
hung sound card. Clients find either through ``SPEECHD_ADDRESS`` (``server.address``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SPEECH_DISPATCHER = shutil.which("speech-dispatcher")
SYSTEM_MODULES_CONFIG = Path("/etc/speech-dispatcher/modules/espeak-ng.conf")
HAVE_SPEECH_DISPATCHER = SPEECH_DISPATCHER is not None and SYSTEM_MODULES_CONFIG.is_file()


@dataclass
class SpeechServer:
    process: subprocess.Popen
    socket_path: Path
    log_dir: Path

    @property
    def address(self) -> str:
        return f"unix_socket:{self.socket_path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(2)
            except subprocess.TimeoutExpired:  # a server stuck on its audio output ignores SIGTERM
                self.process.kill()
                self.process.wait(5)


def start_speech_dispatcher(folder: Path, audio: str = "null", timeout: float = 15.0) -> SpeechServer:
    if not HAVE_SPEECH_DISPATCHER:
        raise RuntimeError("speech-dispatcher with espeak-ng is not installed (scripts/setup installs it)")
    config = folder / "config"
    (config / "modules").mkdir(parents=True, exist_ok=True)
    shutil.copy(SYSTEM_MODULES_CONFIG, config / "modules" / "espeak-ng.conf")
    logs = folder / "log"
    logs.mkdir(exist_ok=True)
    home = folder / "home"
    home.mkdir(exist_ok=True)
    lines = [f'LogDir "{logs}"', "LogLevel 3", 'AddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"',
             "DefaultModule espeak-ng"]
    if audio == "null":
        lines.append('AudioOutputMethod "libao"')
        (home / ".libao").write_text("default_driver=null\n")
    elif audio == "missing":
        lines += ['AudioOutputMethod "oss"', f'AudioOSSDevice "{folder / "no-such-dsp"}"']
    else:
        raise ValueError(f"audio must be 'null' or 'missing', not {audio!r}")
    (config / "speechd.conf").write_text("\n".join(lines) + "\n")
    socket_path = folder / "speechd.sock"
    with (logs / "stderr.txt").open("wb") as errors:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [str(SPEECH_DISPATCHER), "-s", "-t", "0", "-c", "unix_socket", "-S", str(socket_path), "-C",
             str(config), "-P", str(folder / "speechd.pid"), "-L", str(logs)],
            env={**os.environ, "HOME": str(home)}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=errors)
    server = SpeechServer(process, socket_path, logs)
    deadline = time.monotonic() + timeout
    while not _accepts(socket_path):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"speech-dispatcher did not start; see {logs}")
        time.sleep(0.05)
    return server


def _accepts(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


class HungSpeechSocket:
    """A unix socket that accepts connections and reads whatever is sent, and never answers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connections = 0
        self._listener = socket.socket(socket.AF_UNIX)
        self._listener.bind(str(path))
        self._listener.listen(16)
        self._clients: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, name="hung-speech-socket", daemon=True).start()

    @property
    def address(self) -> str:
        return f"unix_socket:{self.path}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            self._clients.append(client)
            threading.Thread(target=self._swallow, args=(client,), daemon=True).start()

    @staticmethod
    def _swallow(client: socket.socket) -> None:
        try:
            while client.recv(4096):
                pass
        except OSError:
            pass

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        for client in self._clients:
            client.close()
