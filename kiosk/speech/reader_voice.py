"""Reads a page aloud, sentence by sentence, in the visitor's language, through Qt's text-to-speech.

The screens only show buttons and a highlight: they ask ``available(language)`` whether to offer
"Read aloud" at all, call ``speak``/``pause``/``resume``/``stop``, and follow ``sentenceStarted`` and
``stateChanged``. Each sentence is queued separately and the engine names the one a word belongs to, so
the highlight follows the voice without matching words back to the text.

Engines are costly to start (speech-dispatcher is spawned on first use), so one per engine name is kept for
the whole process. Where the speech library or a voice is missing, nothing is offered: the kiosk works on.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QLocale, QLoggingCategory, QObject, Signal

from kiosk.speech.sentences import Sentence, split_sentences

MOCK_ENGINE = "mock"

_engines: dict[str, object | None] = {}


class VoiceState(StrEnum):
    IDLE = "idle"
    SPEAKING = "speaking"
    PAUSED = "paused"


def _create_engine(name: str) -> object | None:
    if name in _engines:
        return _engines[name]
    # Qt's multimedia library probes for PipeWire when it loads and warns when it is absent; speech goes to
    # the engine (speech-dispatcher, SAPI), never through it, so that probe says nothing useful here.
    QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver.warning=false")
    try:
        from PySide6.QtTextToSpeech import QTextToSpeech
    except ImportError:  # the system's audio libraries are missing: no speech, everything else works
        engine = None
    else:
        engine = QTextToSpeech(name) if name else QTextToSpeech()
        if engine.state() == QTextToSpeech.State.Error:
            engine = None
        elif not name and engine.engine() == MOCK_ENGINE:
            engine = None  # no real engine installed: Qt fell back to its silent test engine
    _engines[name] = engine
    return engine


class ReaderVoice(QObject):
    # (start, end) of the sentence now being read, in the text given to ``speak``
    sentenceStarted = Signal(int, int)
    stateChanged = Signal(str)

    def __init__(self, engine_name: str = "", enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine_name = engine_name
        self._enabled = enabled
        self._engine = None
        self._connected = False
        self._queued: dict[int, Sentence] = {}
        self._current_id: int | None = None
        self._state = VoiceState.IDLE

    # --- what can be offered -------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Start the engine now (after the first frame) rather than on the first page a visitor opens."""
        self._ensure_engine()

    def available(self, language: str) -> bool:
        return self._locale_for(language) is not None

    @property
    def state(self) -> VoiceState:
        return self._state

    @property
    def engine_name(self) -> str:
        engine = self._ensure_engine()
        return engine.engine() if engine is not None else ""  # type: ignore[attr-defined]

    # --- reading ---------------------------------------------------------------------------------------
    def speak(self, text: str, language: str) -> bool:
        """Read ``text`` from the start; False when there is no voice for ``language`` or nothing to say."""
        self.stop()
        locale = self._locale_for(language)
        sentences = split_sentences(text)
        engine = self._engine
        if locale is None or engine is None or not sentences:
            return False
        engine.setLocale(locale)  # type: ignore[attr-defined]
        for sentence in sentences:
            identifier = engine.enqueue(sentence.text)  # type: ignore[attr-defined]
            self._queued[identifier] = sentence
        self._set_state(VoiceState.SPEAKING)
        return True

    def pause(self) -> None:
        if self._state is VoiceState.SPEAKING and self._engine is not None:
            self._engine.pause()  # type: ignore[attr-defined]
            self._set_state(VoiceState.PAUSED)

    def resume(self) -> None:
        if self._state is VoiceState.PAUSED and self._engine is not None:
            self._engine.resume()  # type: ignore[attr-defined]
            self._set_state(VoiceState.SPEAKING)

    def stop(self) -> None:
        """Silence now and forget the page: navigation, a language change and the end of a visit call this."""
        if self._engine is not None and self._state is not VoiceState.IDLE:
            from PySide6.QtTextToSpeech import QTextToSpeech

            self._engine.stop(QTextToSpeech.BoundaryHint.Immediate)  # type: ignore[attr-defined]
        self._queued.clear()
        self._current_id = None
        self._set_state(VoiceState.IDLE)

    def shutdown(self) -> None:
        self.stop()
        if self._engine is not None and self._connected:
            self._engine.sayingWord.disconnect(self._on_word)  # type: ignore[attr-defined]
            self._engine.stateChanged.disconnect(self._on_engine_state)  # type: ignore[attr-defined]
            self._connected = False

    # --- engine ------------------------------------------------------------------------------------------
    def _ensure_engine(self) -> object | None:
        if not self._enabled:
            return None
        if self._engine is None:
            self._engine = _create_engine(self._engine_name)
            if self._engine is not None and not self._connected:
                self._engine.sayingWord.connect(self._on_word)  # type: ignore[attr-defined]
                self._engine.stateChanged.connect(self._on_engine_state)  # type: ignore[attr-defined]
                self._connected = True
        return self._engine

    def _locale_for(self, language: str) -> QLocale | None:
        """A voice in the language itself, preferring the language's usual country; never a stand-in."""
        engine = self._ensure_engine()
        if engine is None:
            return None
        wanted = QLocale(language)
        matching = [locale for locale in engine.availableLocales()  # type: ignore[attr-defined]
                    if locale.language() == wanted.language()]
        if not matching:
            return None
        return next((locale for locale in matching if locale.territory() == wanted.territory()), matching[0])

    def _on_word(self, _word: str, identifier: int, _start: int, _length: int) -> None:
        # The first word of a sentence moves the highlight. (aboutToSynthesize would be the natural signal,
        # but Qt 6.11 reports the previous utterance's id in it.)
        if identifier == self._current_id:
            return
        sentence = self._queued.get(identifier)
        if sentence is not None:
            self._current_id = identifier
            self.sentenceStarted.emit(sentence.start, sentence.end)

    def _on_engine_state(self, state: object) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        # The engine turns Ready only once its queue is empty: the page has been read to the end.
        if state in (QTextToSpeech.State.Ready, QTextToSpeech.State.Error) and self._state is not VoiceState.IDLE:
            self._queued.clear()
            self._current_id = None
            self._set_state(VoiceState.IDLE)

    def _set_state(self, state: VoiceState) -> None:
        if state is not self._state:
            self._state = state
            self.stateChanged.emit(state.value)
