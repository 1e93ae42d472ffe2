"""Reads a page aloud, sentence by sentence, in the visitor's language; the kiosk never waits for it.

The screens only show buttons and a highlight: they ask ``offer(language)`` whether "Read aloud" is
ready, not ready yet, or not offered; they call ``speak``/``pause``/``resume``/``stop``; they follow
``sentenceStarted``, ``stateChanged`` and ``availabilityChanged``.

The engine runs in a process of its own (``kiosk.speech.host``, see there why), started after the first
frame. Which languages have a voice is known once it reports ready; until then Read aloud is "pending".
Each sentence is one utterance: the next is said when the engine reports the previous one finished, and
the highlight moves when each one starts. Engines such as speech-dispatcher report no word boundaries,
so this is the only way the highlight can follow the voice in every language.

A host that misses a deadline, exits or crashes makes Read aloud unavailable for the rest of the run: the
reason is logged and written where the health report reads it (``kiosk.speech.status``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QObject, Signal

from kiosk.speech import status
from kiosk.speech.host_client import Deadlines, SpeechHostClient
from kiosk.speech.sentences import Sentence, split_sentences
from kiosk.speech.voice_choice import best_locale

if TYPE_CHECKING:
    from kiosk.config import Config



class VoiceState(StrEnum):
    IDLE = "idle"
    SPEAKING = "speaking"
    PAUSED = "paused"


class Offer(StrEnum):
    READY = "ready"  # a voice for the language: Read aloud can be pressed
    PENDING = "pending"  # the engine is starting: shown, not yet pressable
    NONE = "none"  # no voice for the language, speech switched off, or the engine failed


class ReaderVoice(QObject):
    # (start, end) of the sentence now being read, in the text given to ``speak``
    sentenceStarted = Signal(int, int)
    stateChanged = Signal(str)
    availabilityChanged = Signal()

    def __init__(self, engine_name: str = "", enabled: bool = True, parent: QObject | None = None,
                 deadlines: Deadlines | None = None) -> None:
        super().__init__(parent)
        self._engine_name = engine_name
        self._enabled = enabled
        self._deadlines = deadlines or Deadlines(15.0, 3.0)
        self._host: SpeechHostClient | None = None
        self._engine = ""
        self._locales: list[QLocale] | None = None  # None until the engine has reported its voices
        self._failure = ""
        self._sentences: list[Sentence] = []
        self._index = -1
        self._locale_name = ""
        self._token = 0
        self._advance_on_resume = False
        self._state = VoiceState.IDLE

    @classmethod
    def from_config(cls, config: Config, parent: QObject | None = None) -> ReaderVoice:
        deadlines = Deadlines(float(config["speech.start_deadline_seconds"]),
                              float(config["speech.command_deadline_seconds"]))
        return cls(config["speech.engine"], config["speech.enabled"], parent, deadlines)

    # --- what can be offered -------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Start the engine now (after the first frame) rather than on the first page a visitor opens."""
        self._ensure_host()

    def offer(self, language: str) -> Offer:
        if not self._enabled or self._failure:
            return Offer.NONE
        self._ensure_host()
        if self._locales is None:
            return Offer.PENDING
        return Offer.READY if self._locale_for(language) is not None else Offer.NONE

    def available(self, language: str) -> bool:
        return self.offer(language) is Offer.READY

    @property
    def ready(self) -> bool:
        """The engine has answered (with its voices) or failed: ``offer`` no longer says pending."""
        return not self._enabled or bool(self._failure) or self._locales is not None

    @property
    def failure(self) -> str:
        return self._failure

    @property
    def state(self) -> VoiceState:
        return self._state

    @property
    def engine_name(self) -> str:
        return self._engine

    @property
    def host_process_id(self) -> int:
        return self._host.process_id if self._host is not None else 0

    # --- reading ---------------------------------------------------------------------------------------
    def speak(self, text: str, language: str) -> bool:
        """Read ``text`` from the start; False when there is no voice for ``language`` or nothing to say."""
        self.stop()
        locale = self._locale_for(language) if self.offer(language) is Offer.READY else None
        sentences = split_sentences(text)
        if locale is None or not sentences:
            return False
        self._sentences = sentences
        self._locale_name = locale.name()
        self._index = -1
        self._set_state(VoiceState.SPEAKING)
        self._say_next()
        return True

    def pause(self) -> None:
        if self._state is VoiceState.SPEAKING and self._host is not None:
            self._host.pause()
            self._set_state(VoiceState.PAUSED)

    def resume(self) -> None:
        if self._state is VoiceState.PAUSED and self._host is not None:
            self._set_state(VoiceState.SPEAKING)
            if self._advance_on_resume:  # the sentence ended just as the visitor paused
                self._advance_on_resume = False
                self._say_next()
            else:
                self._host.resume(len(self._sentences[self._index].text))

    def stop(self) -> None:
        """Silence now and forget the page: navigation, a language change and the end of a visit call this."""
        if self._host is not None and self._state is not VoiceState.IDLE:
            self._host.stop()
        self._forget_page()

    def shutdown(self) -> None:
        """Silence and end the engine's process (killed: at most ``KILL_WAIT_MS`` on this thread)."""
        self._forget_page()
        if self._host is not None:
            self._host.shutdown()

    # --- the engine ----------------------------------------------------------------------------------
    def _ensure_host(self) -> None:
        if self._host is None and self._enabled and not self._failure:
            host = SpeechHostClient(self._engine_name, self._deadlines, self)
            host.ready.connect(self._on_ready)
            host.unavailable.connect(self._on_unavailable)
            host.sentenceStarted.connect(self._on_sentence_started)
            host.sentenceFinished.connect(self._on_sentence_finished)
            self._host = host
            host.start()

    def _on_ready(self, engine: str, locale_names: list) -> None:
        self._engine = engine
        self._locales = [QLocale(name) for name in locale_names]
        status.write_status(available=True, engine=engine)
        self.availabilityChanged.emit()

    def _on_unavailable(self, reason: str) -> None:
        self._failure = reason
        status.write_status(available=False, engine=self._engine or self._engine_name, reason=reason)
        self._forget_page()
        self.availabilityChanged.emit()

    def _locale_for(self, language: str) -> QLocale | None:
        """A voice in the language itself, in the variety listeners expect (``voice_choice``); never a
        stand-in."""
        if not self._locales:
            return None
        return best_locale(language, self._locales)

    def _say_next(self) -> None:
        self._index += 1
        if self._index >= len(self._sentences) or self._host is None:
            self._forget_page()  # read to the end
            return
        self._token += 1
        self._host.say(self._token, self._sentences[self._index].text, self._locale_name)

    def _on_sentence_started(self, token: int) -> None:
        if token == self._token and self._state is not VoiceState.IDLE:
            sentence = self._sentences[self._index]
            self.sentenceStarted.emit(sentence.start, sentence.end)

    def _on_sentence_finished(self, token: int) -> None:
        if token != self._token or self._state is VoiceState.IDLE:
            return
        if self._state is VoiceState.PAUSED:
            self._advance_on_resume = True
        else:
            self._say_next()

    def _forget_page(self) -> None:
        self._sentences = []
        self._index = -1
        self._token += 1  # whatever the engine still reports about the old page is ignored
        self._advance_on_resume = False
        self._set_state(VoiceState.IDLE)

    def _set_state(self, state: VoiceState) -> None:
        if state is not self._state:
            self._state = state
            self.stateChanged.emit(state.value)
