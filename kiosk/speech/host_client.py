"""The kiosk's side of the speech host (``kiosk.speech.host``): starts it, talks to it, and gives up on it.

Nothing here ever waits for the host. Commands are written to its pipe and their answers arrive as Qt
events; every answer has a deadline, checked by a timer on the kiosk's own thread. A host that misses one
(speech-dispatcher or the audio output hung), exits or crashes is killed and reported ``unavailable``
once, with the reason; the kiosk carries on without a voice.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

log = logging.getLogger(__name__)

# A killed host ends at once; this bounds the wait for the process table to confirm it, on the GUI thread.
KILL_WAIT_MS = 200
# A sentence that takes longer than this per character (plus the command deadline) is not being spoken:
# the audio output swallowed it. Slow speech is about 10 characters a second.
SLOWEST_SECONDS_PER_CHARACTER = 0.25


@dataclass(frozen=True)
class Deadlines:
    start_seconds: float  # engine created (speech-dispatcher spawned if need be) and its voices listed
    command_seconds: float  # one call (say, pause, resume, stop) returned; a sentence began to be spoken


def host_command(engine_name: str) -> tuple[str, list[str]]:
    """The same ``kiosk`` command that runs the kiosk, from source or frozen."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["speech-host", "--engine", engine_name]
    return sys.executable, ["-m", "kiosk", "speech-host", "--engine", engine_name]


class SpeechHostClient(QObject):
    ready = Signal(str, list)  # engine name, locale names ("de_DE", ...)
    unavailable = Signal(str)  # why there is no voice; emitted once
    sentenceStarted = Signal(int)  # token given to ``say``
    sentenceFinished = Signal(int)

    def __init__(self, engine_name: str, deadlines: Deadlines, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine_name = engine_name
        self._deadlines = deadlines
        self._process: QProcess | None = None
        self._buffer = b""
        self._serial = 0
        self._pid = 0
        self._failed = False
        self._closing = False
        # what is awaited, and by when (time.monotonic())
        self._awaiting: dict[str, float] = {}
        self._token: int | None = None
        # Fires when the earliest deadline passes (re-armed as answers arrive), not on a fixed beat.
        self._watch = QTimer(self)
        self._watch.setSingleShot(True)
        self._watch.timeout.connect(self._check_deadlines)

    @property
    def process_id(self) -> int:
        """The host's process id, also after it has ended (0 before it started)."""
        return self._pid

    # --- commands ------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._process is not None or self._failed:
            return
        process = QProcess(self)
        environment = QProcessEnvironment.systemEnvironment()
        if not getattr(sys, "frozen", False):
            package_parent = str(Path(__file__).resolve().parents[2])
            existing = environment.value("PYTHONPATH")
            environment.insert("PYTHONPATH", os.pathsep.join(filter(None, [package_parent, existing])))
        process.setProcessEnvironment(environment)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        process.readyReadStandardOutput.connect(self._read_events)
        process.readyReadStandardError.connect(self._forward_errors)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(self._on_process_error)
        self._process = process
        self._expect("start", self._deadlines.start_seconds)
        program, arguments = host_command(self._engine_name)
        process.start(program, arguments)  # returns at once; a failure to start arrives as errorOccurred
        self._pid = int(process.processId())

    def say(self, token: int, text: str, locale: str) -> None:
        self._token = token
        self._send("say", token=token, text=text, locale=locale)
        self._expect(f"started:{token}", self._deadlines.command_seconds)
        self._expect(f"finished:{token}",
                     self._deadlines.command_seconds + len(text) * SLOWEST_SECONDS_PER_CHARACTER)

    def pause(self) -> None:
        # A paused sentence may stay paused as long as the visitor likes: its end is not awaited meanwhile.
        self._forget_sentence_deadlines()
        self._send("pause")

    def resume(self, text_length: int) -> None:
        self._send("resume")
        if self._token is not None:
            self._expect(f"finished:{self._token}",
                         self._deadlines.command_seconds + text_length * SLOWEST_SECONDS_PER_CHARACTER)

    def stop(self) -> None:
        self._forget_sentence_deadlines()
        self._token = None
        self._send("stop")

    def shutdown(self) -> None:
        """End the host: killed at once (it holds nothing to save, and a hung one would never read a "quit"),
        then a wait of at most ``KILL_WAIT_MS`` for it to be gone."""
        self._closing = True
        self._watch.stop()
        process = self._process
        if process is None or process.state() == QProcess.ProcessState.NotRunning:
            return
        process.kill()
        process.waitForFinished(KILL_WAIT_MS)

    # --- the host's answers -------------------------------------------------------------------------
    def _read_events(self) -> None:
        if self._process is None or self._closing:
            return
        self._buffer += bytes(self._process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            if self._failed:
                return
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self._on_event(event)
        self._arm()

    def _on_event(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "ready":
            self._awaiting.pop("start", None)
            locales = [str(name) for name in event.get("locales", [])]
            log.info("speech engine %s ready with %d voices' locales", event.get("engine"), len(locales))
            self.ready.emit(str(event.get("engine", "")), locales)
        elif kind == "failed":
            self._fail(f"no speech engine: {event.get('reason', '')}")
        elif kind == "error":
            self._fail(f"speech engine error: {event.get('reason', '')}")
        elif kind == "ack":
            self._awaiting.pop(f"ack:{event.get('serial')}", None)
        elif kind == "started":
            token = int(event.get("token", -1))
            self._awaiting.pop(f"started:{token}", None)
            if token == self._token:
                self.sentenceStarted.emit(token)
        elif kind == "finished":
            token = int(event.get("token", -1))
            self._awaiting.pop(f"started:{token}", None)
            self._awaiting.pop(f"finished:{token}", None)
            if token == self._token:
                self._token = None
                self.sentenceFinished.emit(token)

    def _forward_errors(self) -> None:
        if self._process is None:
            return
        text = bytes(self._process.readAllStandardError().data()).decode("utf-8", "replace").strip()
        for line in text.splitlines():
            if "symbolsresolver" not in line:  # the PipeWire probe's notes: speech does not use it
                log.info("speech host: %s", line)

    def _on_finished(self, code: int, _status: object) -> None:
        if not self._closing:
            self._fail(f"speech host exited (code {code})")

    def _on_process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._fail("speech host could not be started")

    # --- deadlines ------------------------------------------------------------------------------------
    def _send(self, command: str, **fields: object) -> None:
        if self._process is None or self._failed or self._closing:
            return
        self._serial += 1
        self._expect(f"ack:{self._serial}", self._deadlines.command_seconds)
        line = json.dumps({"cmd": command, "serial": self._serial, **fields}) + "\n"
        self._process.write(line.encode("utf-8"))

    def _expect(self, what: str, seconds: float) -> None:
        self._awaiting[what] = time.monotonic() + seconds
        self._arm()

    def _arm(self) -> None:
        """The watch fires just after the earliest deadline; with nothing awaited it sleeps."""
        if not self._awaiting or self._failed or self._closing:
            self._watch.stop()
            return
        earliest = min(self._awaiting.values())
        self._watch.start(max(0, round((earliest - time.monotonic()) * 1000) + 1))

    def _forget_sentence_deadlines(self) -> None:
        for what in [what for what in self._awaiting if what.startswith(("started:", "finished:"))]:
            del self._awaiting[what]

    def _check_deadlines(self) -> None:
        now = time.monotonic()
        late = [what for what, deadline in self._awaiting.items() if deadline < now]
        if late:
            self._fail(f"speech engine did not answer in time ({late[0].split(':')[0]})")
        else:
            self._arm()

    def _fail(self, reason: str) -> None:
        if self._failed or self._closing:
            return
        self._failed = True
        self._awaiting.clear()
        self._watch.stop()
        self._token = None
        log.warning("read aloud unavailable: %s", reason)
        if self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning:
            self._process.kill()  # abandoned, not waited for: the process table reaps it when it dies
        self.unavailable.emit(reason)
