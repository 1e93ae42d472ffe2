"""Read aloud against real engines: Qt's mock, a real speech-dispatcher (audio to a null device), one whose
audio device is missing, one that is not there at all, and a socket that accepts and never answers.

Whatever the engine does, the kiosk's own thread keeps running (a timer on it keeps firing while the
visitor presses Read aloud, Stop and Next), Read aloud is withdrawn with a log line and a health warning,
and the highlight shows in every language the engine speaks.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage

from kiosk.health.report import SPEECH_UNAVAILABLE, build_report
from kiosk.session.navigator import Screen
from kiosk.ui import theme
from tests.speech_servers import HAVE_SPEECH_DISPATCHER, HungSpeechSocket, start_speech_dispatcher

LANGUAGES = ("en", "tr", "ar", "fa", "ru", "de", "fr", "uk")
SECTION = "what-is-dystonia"
needs_speech_dispatcher = pytest.mark.skipif(not HAVE_SPEECH_DISPATCHER,
                                             reason="speech-dispatcher and espeak-ng are not installed")
# Short deadlines keep the fault tests quick; the defaults are for real kiosks.
FAST = {"speech__start_deadline_seconds": 2.0, "speech__command_deadline_seconds": 1.0}
# A working server's engine takes a second or more to start on a busy machine: only its answers are hurried.
QUICK_ANSWERS = {"speech__start_deadline_seconds": 15.0, "speech__command_deadline_seconds": 1.0}


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())


def highlight_pixels(widget, colour: str) -> int:
    """Pixels of exactly the highlight's background colour in what ``widget`` shows now."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    wanted = QColor(colour).rgb() & 0xFFFFFFFF
    pixels = memoryview(image.constBits()).cast("I")
    return pixels.tolist().count(wanted)


class Ticker:
    """A timer on the GUI thread: it only counts while the GUI thread is free to run it."""

    def __init__(self) -> None:
        self.count = 0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.count += 1

    def keeps_running(self, qtbot) -> None:
        before = self.count
        qtbot.waitUntil(lambda: self.count >= before + 5, timeout=5000)


@pytest.fixture
def ticker():
    ticker = Ticker()
    yield ticker
    ticker.timer.stop()


@pytest.fixture
def no_autospawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """speech-dispatcher's clients start a server when they find none: not the system's one here."""
    config = tmp_path / "xdg-config" / "speech-dispatcher"
    config.mkdir(parents=True)
    (config / "speechd.conf").write_text("DisableAutoSpawn\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config.parent))


@pytest.fixture(scope="module")
def speechd(tmp_path_factory):
    if not HAVE_SPEECH_DISPATCHER:
        pytest.skip("speech-dispatcher and espeak-ng are not installed")
    server = start_speech_dispatcher(tmp_path_factory.mktemp("speechd"), audio="null")
    yield server
    server.stop()


@pytest.fixture
def speechd_without_audio(tmp_path: Path):
    server = start_speech_dispatcher(tmp_path / "speechd-no-audio", audio="missing")
    yield server
    server.stop()


@pytest.fixture
def hung_socket(tmp_path: Path):
    hung = HungSpeechSocket(tmp_path / "hung.sock")
    yield hung
    hung.close()


def open_reader(qtbot, kiosk, language: str) -> None:
    kiosk.translator.set_language(language)
    kiosk.navigator.open_section(SECTION)
    qtbot.waitUntil(lambda: kiosk.voice.ready, timeout=20000)


def highlight_seen_while_reading(qtbot, kiosk) -> int:
    """Press Read aloud and count highlighted pixels in the reader as the first sentence starts."""
    counts: list[int] = []
    colour = theme.palette_for(kiosk.visit.high_contrast).reading_bg

    def grab(_start: int, _end: int) -> None:  # connected after the kiosk's own slot: the highlight is set
        counts.append(highlight_pixels(kiosk.reader, colour))

    kiosk.voice.sentenceStarted.connect(grab)
    try:
        assert highlight_pixels(kiosk.reader, colour) == 0
        click(qtbot, kiosk.reader.read_aloud.read_button)
        qtbot.waitUntil(lambda: bool(counts), timeout=10000)
    finally:
        kiosk.voice.sentenceStarted.disconnect(grab)
    click(qtbot, kiosk.reader.read_aloud.stop_button)
    return counts[0]


# --- the highlight ------------------------------------------------------------------------------------
def test_mock_engine_highlights_the_sentence_in_the_languages_it_speaks(qtbot, make_kiosk):
    kiosk = make_kiosk(speech__engine="mock", touch__repeat_ignore_ms=0)
    spoken = []
    for language in LANGUAGES:
        open_reader(qtbot, kiosk, language)
        if not kiosk.voice.available(language):
            assert not kiosk.reader.read_aloud.isVisible(), language  # no voice: nothing offered
            continue
        spoken.append(language)
        assert highlight_seen_while_reading(qtbot, kiosk) > 500, language
    assert spoken == ["en"]  # Qt's mock engine has English, Finnish and Norwegian voices only


@needs_speech_dispatcher
def test_speech_dispatcher_highlights_the_sentence_in_every_language(qtbot, make_kiosk, speechd, monkeypatch):
    monkeypatch.setenv("SPEECHD_ADDRESS", speechd.address)
    kiosk = make_kiosk(speech__engine="speechd", touch__repeat_ignore_ms=0)
    pixels = {}
    for language in LANGUAGES:
        open_reader(qtbot, kiosk, language)
        assert kiosk.voice.available(language), (language, kiosk.voice.failure)
        pixels[language] = highlight_seen_while_reading(qtbot, kiosk)
    assert all(count > 500 for count in pixels.values()), pixels


@needs_speech_dispatcher
def test_speech_dispatcher_reads_the_page_to_the_end_one_sentence_after_another(qtbot, make_kiosk, speechd,
                                                                                monkeypatch):
    monkeypatch.setenv("SPEECHD_ADDRESS", speechd.address)
    kiosk = make_kiosk(speech__engine="speechd", touch__repeat_ignore_ms=0)
    open_reader(qtbot, kiosk, "de")
    started: list[tuple[int, int]] = []
    kiosk.voice.sentenceStarted.connect(lambda start, end: started.append((start, end)))
    click(qtbot, kiosk.reader.read_aloud.read_button)
    qtbot.waitUntil(lambda: kiosk.voice.state == "idle", timeout=30000)
    from kiosk.speech.sentences import split_sentences

    expected = [(sentence.start, sentence.end) for sentence in split_sentences(kiosk.reader.plain_text())]
    assert started == expected
    assert kiosk.reader.read_aloud.state == "idle" and kiosk.reader.highlighted_range() is None


# --- faults ---------------------------------------------------------------------------------------------
def assert_withdrawn_with_warning(kiosk, caplog) -> None:
    assert kiosk.voice.failure
    assert not kiosk.reader.read_aloud.isVisible()
    assert any("read aloud unavailable" in record.getMessage() for record in caplog.records)
    report = build_report(kiosk.config)
    assert SPEECH_UNAVAILABLE in [reason.code for reason in report.reasons]


def host_has_gone(qtbot, pid: int) -> None:
    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    assert pid
    qtbot.waitUntil(gone, timeout=5000)


def test_a_socket_that_never_answers_never_holds_up_the_kiosk(qtbot, make_kiosk, hung_socket, no_autospawn,
                                                              monkeypatch, ticker, caplog):
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("SPEECHD_ADDRESS", hung_socket.address)
    kiosk = make_kiosk(speech__engine="speechd", touch__repeat_ignore_ms=0, session__idle_timeout_seconds=5,
                       **FAST)
    kiosk.idle.countdown_seconds = 3  # shorter than a setting may be (at least 20 s), to keep the test short
    kiosk.finish_startup()  # starts the voice, as after the first frame
    kiosk.navigator.open_section(SECTION)
    controls = kiosk.reader.read_aloud
    assert controls.isVisible() and not controls.read_button.isEnabled()  # shown as not ready yet
    click(qtbot, controls.read_button)
    ticker.keeps_running(qtbot)
    assert kiosk.voice.state == "idle"
    click(qtbot, kiosk.reader.next_button)
    ticker.keeps_running(qtbot)
    qtbot.waitUntil(lambda: kiosk.voice.ready, timeout=10000)
    assert hung_socket.connections >= 1  # the engine did reach the socket, and waited on it
    assert_withdrawn_with_warning(kiosk, caplog)
    pid = kiosk.voice.host_process_id
    kiosk.navigator.open_section(SECTION)
    assert not controls.isVisible()
    qtbot.waitUntil(lambda: kiosk.navigator.screen is Screen.ATTRACT, timeout=20000)  # the idle reset
    kiosk.shutdown()
    host_has_gone(qtbot, pid)


@needs_speech_dispatcher
def test_a_missing_audio_device_withdraws_read_aloud_and_the_visit_still_ends(
        qtbot, make_kiosk, speechd_without_audio, monkeypatch, ticker, caplog):
    monkeypatch.setenv("SPEECHD_ADDRESS", speechd_without_audio.address)
    kiosk = make_kiosk(speech__engine="speechd", touch__repeat_ignore_ms=0, session__idle_timeout_seconds=5,
                       **QUICK_ANSWERS)
    kiosk.idle.countdown_seconds = 3  # shorter than a setting may be (at least 20 s), to keep the test short
    open_reader(qtbot, kiosk, "en")
    controls = kiosk.reader.read_aloud
    assert kiosk.voice.available("en")
    click(qtbot, controls.read_button)
    qtbot.waitUntil(lambda: kiosk.reader.highlighted_range() is not None, timeout=10000)
    # The server began the sentence but its audio goes nowhere: the sentence never ends, and once a second
    # one is asked for, the server hangs (in Stop or in the sentence after it).
    click(qtbot, controls.stop_button)
    ticker.keeps_running(qtbot)
    assert kiosk.voice.state == "idle" and controls.read_button.isVisible()
    click(qtbot, controls.read_button)
    ticker.keeps_running(qtbot)
    click(qtbot, controls.stop_button)
    ticker.keeps_running(qtbot)
    click(qtbot, kiosk.reader.next_button)
    ticker.keeps_running(qtbot)
    qtbot.waitUntil(lambda: bool(kiosk.voice.failure), timeout=10000)
    assert_withdrawn_with_warning(kiosk, caplog)
    qtbot.waitUntil(lambda: kiosk.navigator.screen is Screen.ATTRACT, timeout=20000)  # the idle reset


def test_no_speech_dispatcher_at_all(qtbot, make_kiosk, tmp_path, no_autospawn, monkeypatch, caplog):
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{tmp_path / 'nobody-listens.sock'}")
    kiosk = make_kiosk(speech__engine="speechd", **FAST)
    open_reader(qtbot, kiosk, "en")
    assert_withdrawn_with_warning(kiosk, caplog)


@needs_speech_dispatcher
def test_a_crashing_speech_dispatcher_withdraws_read_aloud(qtbot, make_kiosk, tmp_path, monkeypatch, ticker,
                                                            caplog):
    server = start_speech_dispatcher(tmp_path / "speechd-crash", audio="null")
    try:
        monkeypatch.setenv("SPEECHD_ADDRESS", server.address)
        kiosk = make_kiosk(speech__engine="speechd", touch__repeat_ignore_ms=0, **QUICK_ANSWERS)
        open_reader(qtbot, kiosk, "en")
        assert kiosk.voice.available("en")
        server.process.kill()
        server.process.wait(5)
        click(qtbot, kiosk.reader.read_aloud.read_button)
        ticker.keeps_running(qtbot)
        qtbot.waitUntil(lambda: bool(kiosk.voice.failure), timeout=10000)
        assert_withdrawn_with_warning(kiosk, caplog)
    finally:
        server.stop()


def test_a_crashing_speech_host_withdraws_read_aloud(qtbot, make_kiosk, caplog):
    import signal

    kiosk = make_kiosk(speech__engine="mock", touch__repeat_ignore_ms=0)
    open_reader(qtbot, kiosk, "en")
    click(qtbot, kiosk.reader.read_aloud.read_button)
    os.kill(kiosk.voice.host_process_id, signal.SIGKILL)
    qtbot.waitUntil(lambda: bool(kiosk.voice.failure), timeout=10000)
    assert kiosk.voice.state == "idle"
    assert_withdrawn_with_warning(kiosk, caplog)


def test_speech_switched_off_is_not_a_health_problem(qtbot, make_kiosk):
    kiosk = make_kiosk(speech__engine="mock", speech__enabled=False)
    open_reader(qtbot, kiosk, "en")
    assert not kiosk.reader.read_aloud.isVisible() and kiosk.voice.host_process_id == 0
    assert SPEECH_UNAVAILABLE not in [reason.code for reason in build_report(kiosk.config).reasons]
