"""speech-dispatcher's own protocol (SSIP) over its socket, with the standard library only.

The speech host used to reach speech-dispatcher through Qt's text-to-speech module, which loads Qt's GUI,
multimedia, network and D-Bus libraries, PipeWire and PulseAudio into the host (27 MB) although the audio
never passes through it: speech-dispatcher plays it. Speaking SSIP directly leaves the host a plain Python
process. The protocol (speech-dispatcher's "SSIP" documentation): a command is a line ending in CRLF; the
answer is lines ``NNN-text`` ending with one ``NNN text``; 2xx is success; 7xx blocks are events sent
whenever they happen (begin, end, cancel of a message), interleaved with the answers.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EVENT_BEGIN, EVENT_END, EVENT_CANCEL, EVENT_PAUSE, EVENT_RESUME = 701, 702, 703, 704, 705
SPAWN_SECONDS = 10.0  # speech-dispatcher --spawn returns once its socket is ready


class SSIPError(RuntimeError):
    """speech-dispatcher refused a command, closed the connection, or cannot be reached."""


@dataclass(frozen=True)
class Voice:
    name: str
    language: str  # as speech-dispatcher lists it: "en-GB", "de", "en-029"
    variant: str = ""


def _default_socket() -> Path:
    # As libspeechd: the user's runtime folder, else the cache folder.
    runtime = os.environ.get("XDG_RUNTIME_DIR") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(runtime) / "speech-dispatcher" / "speechd.sock"


def address() -> tuple[str, object]:
    """("unix", path) or ("inet", (host, port)) from SPEECHD_ADDRESS, else the default socket."""
    value = os.environ.get("SPEECHD_ADDRESS", "").strip()
    if value.startswith("inet_socket"):
        _method, _, rest = value.partition(":")
        host, _, port = rest.partition(":")
        return "inet", (host or "127.0.0.1", int(port or 6560))
    if value.startswith("unix_socket:") and value.split(":", 1)[1]:
        return "unix", Path(value.split(":", 1)[1])
    return "unix", _default_socket()


def autospawn_allowed() -> bool:
    """False when speech-dispatcher's configuration says DisableAutoSpawn (as libspeechd honours it)."""
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    for config in (config_home / "speech-dispatcher" / "speechd.conf", Path("/etc/speech-dispatcher/speechd.conf")):
        try:
            lines = config.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        if any(line.strip().split("#")[0].strip() == "DisableAutoSpawn" for line in lines):
            return False
    return True


class Connection:
    """One SSIP connection. ``on_event(code, lines)`` is called on the reader thread for each event block,
    and ``on_event(None, [])`` once when the server goes away."""

    def __init__(self, on_event: Callable[[int | None, list[str]], None]) -> None:
        self._on_event = on_event
        self._answers: queue.Queue[tuple[int, list[str]] | None] = queue.Queue()
        self._send_lock = threading.Lock()
        self._socket = self._connect()
        self._file = self._socket.makefile("rb")
        threading.Thread(target=self._read, name="ssip-reader", daemon=True).start()

    # --- connecting ------------------------------------------------------------------------------------
    def _connect(self) -> socket.socket:
        kind, where = address()
        try:
            return _open(kind, where)
        except OSError as error:
            if kind != "unix" or not autospawn_allowed() or shutil.which("speech-dispatcher") is None:
                raise SSIPError(f"cannot reach speech-dispatcher at {where}: {error}") from error
        assert isinstance(where, Path)
        try:
            subprocess.run(["speech-dispatcher", "--spawn", "--communication-method", "unix_socket",
                            "--socket-path", str(where)], check=False, timeout=SPAWN_SECONDS,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return _open(kind, where)
        except (OSError, subprocess.SubprocessError) as error:
            raise SSIPError(f"cannot start speech-dispatcher at {where}: {error}") from error

    # --- talking ---------------------------------------------------------------------------------------
    def command(self, line: str) -> tuple[int, list[str]]:
        """Send one command; wait for its answer; SSIPError unless it is a success (2xx)."""
        with self._send_lock:
            self._send(line + "\r\n")
            answer = self._answers.get()
        return _checked(line, answer)

    def speak(self, text: str) -> str:
        """Queue ``text`` for speaking; returns the message id its events will carry."""
        with self._send_lock:
            self._send("SPEAK\r\n")
            _checked("SPEAK", self._answers.get())
            # The text ends with a line holding one dot; a line of the text that starts with a dot gets another.
            lines = [("." + line) if line.startswith(".") else line for line in text.replace("\r", "").split("\n")]
            self._send("\r\n".join(lines) + "\r\n.\r\n")
            _code, answer = _checked("SPEAK (text)", self._answers.get())
        return answer[0] if answer else ""

    def voices(self) -> list[Voice]:
        _code, lines = self.command("LIST SYNTHESIS_VOICES")
        found = []
        for line in lines[:-1]:  # the last line is the status text
            parts = line.split("\t")
            if len(parts) >= 2 and parts[0]:
                found.append(Voice(parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
        return found

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._socket.close()

    def _send(self, data: str) -> None:
        try:
            self._socket.sendall(data.encode("utf-8"))
        except OSError as error:
            raise SSIPError(f"speech-dispatcher went away: {error}") from error

    def _read(self) -> None:
        block: list[str] = []
        try:
            for raw in self._file:
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if len(line) < 4 or not line[:3].isdigit():
                    continue
                block.append(line[4:])
                if line[3] == "-":
                    continue
                code = int(line[:3])
                if 700 <= code < 800:
                    self._on_event(code, block)
                else:
                    self._answers.put((code, block))
                block = []
        except (OSError, ValueError):
            pass
        self._answers.put(None)  # a command waiting for its answer learns that none will come
        self._on_event(None, [])


def _open(kind: str, where: object) -> socket.socket:
    if kind == "inet":
        return socket.create_connection(where)  # type: ignore[arg-type]
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(str(where))
    except OSError:
        client.close()
        raise
    return client


def _checked(what: str, answer: tuple[int, list[str]] | None) -> tuple[int, list[str]]:
    if answer is None:
        raise SSIPError(f"speech-dispatcher closed the connection ({what.split()[0]})")
    code, lines = answer
    if not 200 <= code < 300:
        raise SSIPError(f"speech-dispatcher refused {what.split()[0]}: {code} {lines[-1] if lines else ''}")
    return answer


def locale_name(language: str) -> str:
    """A speech-dispatcher language ("en-GB", "de", "en-029") as a locale name the kiosk reads ("en_GB")."""
    parts = language.replace("_", "-").split("-")
    base = parts[0].lower()
    region = parts[1] if len(parts) > 1 else ""
    return f"{base}_{region.upper()}" if len(region) == 2 and region.isalpha() else base


# How espeak-ng's voices call a country; a locale can list other varieties under it.
_COUNTRY_WORDS = {"GB": ("great britain", "united kingdom", "british", "rp"), "US": ("america", "united states")}


def best_voice(locale: str, voices: list[Voice]) -> Voice | None:
    """The voice for ``locale`` ("en_GB"): its own language and country, the one named for the country, else a
    plain voice (not a "+variant"), else any of that language; None when the language has none."""
    base, _, country = locale.partition("_")
    same_language = [voice for voice in voices if locale_name(voice.language).split("_")[0] == base]
    exact = [voice for voice in same_language if locale_name(voice.language) == locale] or same_language
    if not exact:
        return None
    words = _COUNTRY_WORDS.get(country, ())
    plain = [voice for voice in exact if "+" not in voice.name]
    named = [voice for voice in plain if any(word in voice.name.casefold() for word in words)]
    return (named or plain or exact)[0]
