"""The speech host's engine on Linux: speech-dispatcher over its own protocol (``kiosk.speech.ssip``), no Qt.

Commands are read from stdin on the main thread and answered in order (an answer that never comes, from a
server hung on a missing sound card, leaves the ack unsent: the kiosk's deadline then kills this process);
speech-dispatcher's events arrive on the connection's reader thread and are matched to the kiosk's tokens
by message id.
"""

from __future__ import annotations

import json
import os
import sys
import threading

from kiosk.speech.host import SPEECHD_ENGINE, emit
from kiosk.speech.ssip import (
    EVENT_BEGIN,
    EVENT_CANCEL,
    EVENT_END,
    Connection,
    SSIPError,
    Voice,
    best_voice,
    locale_name,
)


def main() -> int:
    host = SSIPHost()
    if not host.start():
        return 1
    for line in sys.stdin:
        if line.strip() and not host.handle(line):
            break
    host.close()
    sys.stdout.flush()
    os._exit(0)


class SSIPHost:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._voices: list[Voice] = []
        self._locale = ""
        self._token: int | None = None  # the utterance the kiosk waits for
        self._message_tokens: dict[str, int] = {}  # speech-dispatcher's message id -> the kiosk's token
        self._early: dict[str, list[int]] = {}  # events of a message whose id the SPEAK answer has not given yet
        self._started: set[int] = set()
        self._closing = False

    def start(self) -> bool:
        try:
            self._connection = Connection(self._on_event)
            self._connection.command("SET self CLIENT_NAME kiosk:kiosk:main")
            self._connection.command("SET self NOTIFICATION ALL on")
            self._voices = self._connection.voices()
        except SSIPError as error:
            emit("failed", reason=str(error))
            return False
        if not self._voices:
            emit("failed", reason="speech-dispatcher lists no voices")
            return False
        emit("ready", engine=SPEECHD_ENGINE, locales=sorted({locale_name(voice.language) for voice in self._voices}))
        return True

    def close(self) -> None:
        self._closing = True  # the connection's end is ours, not the server's
        if self._connection is not None:
            self._connection.close()

    def handle(self, line: str) -> bool:
        """Carry out one command line; False after "quit"."""
        try:
            command = json.loads(line)
        except ValueError:
            return True
        name = command.get("cmd")
        connection = self._connection
        assert connection is not None
        try:
            if name == "quit":
                with self._lock:
                    self._token = None
                connection.command("CANCEL self")
                return False
            if name == "say":
                self._say(connection, int(command["token"]), str(command["text"]), str(command.get("locale", "")))
            elif name == "pause":
                connection.command("PAUSE self")
            elif name == "resume":
                connection.command("RESUME self")
            elif name == "stop":
                with self._lock:
                    self._token = None
                connection.command("CANCEL self")
        except SSIPError as error:
            emit("error", reason=str(error))
            return name != "quit"
        emit("ack", serial=command.get("serial"))
        return True

    def _say(self, connection: Connection, token: int, text: str, locale: str) -> None:
        if locale != self._locale:
            voice = best_voice(locale, self._voices)
            connection.command(f"SET self LANGUAGE {voice.language if voice else locale.replace('_', '-')}")
            if voice is not None:
                connection.command(f"SET self SYNTHESIS_VOICE {voice.name}")
            self._locale = locale
        with self._lock:
            self._token = token
        message = connection.speak(text)
        with self._lock:
            self._message_tokens[message] = token
            early = self._early.pop(message, [])
        for code in early:
            self._deliver(message, code)

    def _on_event(self, code: int | None, lines: list[str]) -> None:
        if code is None:
            if self._closing:
                return
            emit("error", reason="speech-dispatcher closed the connection")
            os._exit(1)  # nothing left to speak with; the kiosk withdraws Read aloud and may start another host
        message = lines[0] if lines else ""
        with self._lock:
            known = message in self._message_tokens
            if not known:
                self._early.setdefault(message, []).append(code)
        if known:
            self._deliver(message, code)

    def _deliver(self, message: str, code: int) -> None:
        with self._lock:
            token = self._message_tokens.get(message)
            current = token is not None and token == self._token
            if code in (EVENT_END, EVENT_CANCEL):
                self._message_tokens.pop(message, None)
                self._started.discard(token)  # type: ignore[arg-type]
                if current:
                    self._token = None
            first = code == EVENT_BEGIN and current and token not in self._started
            if first:
                self._started.add(token)  # type: ignore[arg-type]
        if first:
            emit("started", token=token)
        elif code in (EVENT_END, EVENT_CANCEL) and current:
            emit("finished", token=token)
