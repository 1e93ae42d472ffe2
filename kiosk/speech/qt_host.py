"""The speech host's engine through Qt's text-to-speech module: for the platforms' own engines (SAPI or
WinRT on Windows) and Qt's silent mock engine the tests use. On Linux with speech-dispatcher the host speaks
its protocol directly instead (``kiosk.speech.ssip_host``).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QLoggingCategory, QObject, Signal

from kiosk.speech.host import MOCK_ENGINE
from kiosk.speech.host import emit as _emit


def main(engine_name: str) -> int:
    # Qt's multimedia library probes for PipeWire when it loads and warns when it is absent; speech goes to
    # the engine (speech-dispatcher, SAPI), never through it, so that probe says nothing useful here.
    QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver.warning=false")
    app = QCoreApplication(sys.argv[:1])
    host = Host(engine_name)
    if not host.start():
        return 1
    _read_commands_in_background(host)
    code = app.exec()
    # Tearing Qt down with an engine that was speaking crashed the mock engine (SIGSEGV) when the kiosk
    # quit mid-sentence; there is nothing to save here, so the host ends without that teardown.
    sys.stdout.flush()
    os._exit(code)


def _read_commands_in_background(host: Host) -> None:
    """stdin is read on a thread of its own (a pipe cannot be watched by Qt on every platform); each line is
    handed to the engine's thread through a queued signal."""

    def read() -> None:
        for line in sys.stdin:
            if line.strip():
                host.commandReceived.emit(line)
        host.commandReceived.emit('{"cmd": "quit"}')  # the kiosk went away

    threading.Thread(target=read, name="speech-host-stdin", daemon=True).start()


class Host(QObject):
    commandReceived = Signal(str)

    def __init__(self, engine_name: str) -> None:
        super().__init__()
        self._engine_name = engine_name
        self._engine: Any = None
        self._token: int | None = None
        self._speaking_token: int | None = None
        self.commandReceived.connect(self._on_command)

    def start(self) -> bool:
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as error:  # the system's audio libraries are missing
            _emit("failed", reason=f"no text-to-speech library: {error}")
            return False
        engine = QTextToSpeech(self._engine_name) if self._engine_name else QTextToSpeech()
        if engine.state() == QTextToSpeech.State.Error:
            _emit("failed", reason=f"engine {engine.engine() or self._engine_name!r}: {engine.errorString()}")
            return False
        if not self._engine_name and engine.engine() == MOCK_ENGINE:
            _emit("failed", reason="no text-to-speech engine installed")  # Qt fell back to its silent one
            return False
        self._engine = engine
        engine.stateChanged.connect(self._on_state)
        locales = sorted({locale.name() for locale in engine.availableLocales()})
        _emit("ready", engine=engine.engine(), locales=locales)
        return True

    def _on_command(self, line: str) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        try:
            command = json.loads(line)
        except ValueError:
            return
        name = command.get("cmd")
        engine = self._engine
        if name == "quit":
            if engine is not None and engine.state() != QTextToSpeech.State.Ready:
                engine.stop(QTextToSpeech.BoundaryHint.Immediate)
            QCoreApplication.quit()
            return
        if name == "say":
            self._token = int(command["token"])
            self._speaking_token = None
            locale = QLocale(str(command.get("locale", "")))
            if engine.locale() != locale:
                engine.setLocale(locale)
                _choose_voice(engine, locale)
            engine.say(str(command["text"]))
        elif name == "pause":
            engine.pause(QTextToSpeech.BoundaryHint.Immediate)
        elif name == "resume":
            engine.resume()
        elif name == "stop":
            self._token = None
            engine.stop(QTextToSpeech.BoundaryHint.Immediate)
        _emit("ack", serial=command.get("serial"))
        if name == "say" and engine.state() == QTextToSpeech.State.Speaking:
            self._on_state(engine.state())  # some engines are speaking before say() returns

    def _on_state(self, state: object) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        token = self._token
        if state == QTextToSpeech.State.Error:
            _emit("error", reason=self._engine.errorString())
        elif token is None:
            return
        elif state == QTextToSpeech.State.Speaking and self._speaking_token != token:
            self._speaking_token = token
            _emit("started", token=token)
        elif state == QTextToSpeech.State.Ready and self._speaking_token == token:
            self._token = None
            _emit("finished", token=token)


def _choose_voice(engine, locale: QLocale) -> None:
    """The locale's voice named for its country (``voice_choice.best_voice``), not whichever comes first."""
    from kiosk.speech.voice_choice import best_voice

    voices = engine.availableVoices()
    wanted = best_voice(locale, [voice.name() for voice in voices])
    chosen = next((voice for voice in voices if voice.name() == wanted), None)
    if chosen is not None:
        engine.setVoice(chosen)
