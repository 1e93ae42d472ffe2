"""The longest stall of the GUI thread while speech starts and while Stop is pressed.

    python bench/bench_speech.py [--runs 3]

Scenarios: a real speech-dispatcher (audio to libao's null device), one whose audio device is missing (the
server begins a sentence and never ends it), and a socket that accepts and never answers. Designs:
``voice`` is the kiosk's ReaderVoice (the engine in its own process, deadlines on every answer);
``in-process`` is Qt's engine created and stopped on the GUI thread, as the kiosk did before. Each
measurement runs in a child process so a design that hangs is cut off (reported as ">= the cut-off").
A 2 ms timer on the GUI thread measures the stalls: the longest gap between two of its ticks.
Medians of the runs are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _common import median, report  # noqa: E402

CUT_OFF_SECONDS = 12.0
TEXT = "Dystonia is a movement disorder. Muscles contract on their own. Treatment can help."


# --- the child: one measurement ---------------------------------------------------------------------------
class StallMeter:
    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.longest = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(2)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def restart(self) -> None:
        self.longest, self._last = 0.0, time.perf_counter()

    def note(self) -> float:
        """The stall so far, counting the one in progress (a call that has just returned)."""
        self._tick()
        return self.longest


def spin(app, seconds: float, until=lambda: False) -> None:
    from PySide6.QtCore import QEventLoop

    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and not until():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def child_voice(app) -> dict:
    from kiosk.speech.host_client import Deadlines
    from kiosk.speech.reader_voice import ReaderVoice

    meter = StallMeter()
    voice = ReaderVoice("speechd", True, None, Deadlines(10.0, 1.0))
    started: list[int] = []
    voice.sentenceStarted.connect(lambda start, _end: started.append(start))
    meter.restart()
    voice.warm_up()
    spin(app, 11.0, lambda: voice.ready)
    result = {"start_stall_s": meter.note(), "available": voice.available("en")}
    print(json.dumps(result), flush=True)
    if voice.available("en"):
        stalls = []
        for _reading in range(2):  # a server without audio hangs on the second reading's Stop
            started.clear()
            voice.speak(TEXT, "en")
            spin(app, 3.0, lambda: bool(started))
            spin(app, 0.05)
            meter.restart()
            voice.stop()
            spin(app, 2.0)  # Stop's answer, or its deadline and the host killed
            stalls.append(meter.note())
        result["stop_stall_s"] = max(stalls)
    voice.shutdown()
    return result


def child_in_process(app) -> dict:
    from PySide6.QtCore import QLocale
    from PySide6.QtTextToSpeech import QTextToSpeech

    meter = StallMeter()
    meter.restart()
    engine = QTextToSpeech("speechd")
    engine.availableLocales()
    result = {"start_stall_s": meter.note(), "available": engine.state() != QTextToSpeech.State.Error}
    print(json.dumps(result), flush=True)
    if result["available"]:
        from kiosk.speech.sentences import split_sentences

        engine.setLocale(QLocale("en_GB"))
        stalls = []
        for _reading in range(2):
            for sentence in split_sentences(TEXT):  # every sentence queued at once, as the kiosk did
                engine.enqueue(sentence.text)
            spin(app, 3.0, lambda: engine.state() == QTextToSpeech.State.Speaking)
            spin(app, 0.05)
            meter.restart()
            engine.stop(QTextToSpeech.BoundaryHint.Immediate)
            spin(app, 0.5)
            stalls.append(meter.note())
        result["stop_stall_s"] = max(stalls)
    return result


def run_child(design: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QLoggingCategory

    QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver.warning=false")
    app = QCoreApplication(sys.argv[:1])
    result = child_voice(app) if design == "voice" else child_in_process(app)
    print(json.dumps({key: value for key, value in result.items() if key == "stop_stall_s"}), flush=True)
    os._exit(0)  # an in-process engine can hang Qt's teardown too


# --- the parent: scenarios, designs, runs -----------------------------------------------------------------
def measure(design: str, address: str, home: Path) -> dict:
    """The child's figures; a phase it never finished (cut off) counts as the cut-off, marked hung."""
    env = {**os.environ, "SPEECHD_ADDRESS": address, "KIOSK_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(home / "xdg"), "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, __file__, "--child", design], env=env, capture_output=True,
                              text=True, timeout=CUT_OFF_SECONDS, check=False)
        output, finished = done.stdout, True
    except subprocess.TimeoutExpired as cut_off:
        output, finished = cut_off.stdout or "", False
        if isinstance(output, bytes):
            output = output.decode("utf-8", "replace")
    result: dict = {}
    for line in output.splitlines():
        if line.startswith("{"):
            result.update(json.loads(line))
    if "start_stall_s" not in result:
        result.update(start_stall_s=CUT_OFF_SECONDS, start_hung=True)
    elif not finished and result.get("available") and "stop_stall_s" not in result:
        result.update(stop_stall_s=CUT_OFF_SECONDS, stop_hung=True)
    return result


def _summary(name: str, results: list[dict], phase: str) -> None:
    values = [r[f"{phase}_stall_s"] * 1000 for r in results if f"{phase}_stall_s" in r]
    if not values:
        print(f"{name}_{phase}_stall: n/a (no voice offered)", flush=True)
        return
    hung = sum(1 for r in results if r.get(f"{phase}_hung"))
    note = f" ({hung}/{len(values)} runs never returned: cut off at {CUT_OFF_SECONDS:.0f} s)" if hung else ""
    report(f"{name}_{phase}_stall", median(values), "ms" + note)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=("voice", "in-process"))
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return 0
    from tests.speech_servers import HungSpeechSocket, start_speech_dispatcher

    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-speech-"))
    (folder / "xdg" / "speech-dispatcher").mkdir(parents=True)
    (folder / "xdg" / "speech-dispatcher" / "speechd.conf").write_text("DisableAutoSpawn\n")  # never the system's
    hung = HungSpeechSocket(folder / "hung.sock")
    try:
        for scenario in ("speechd", "no_audio", "hung_socket"):
            for design in ("voice", "in-process"):
                results = []
                for run in range(args.runs):
                    if scenario == "hung_socket":
                        results.append(measure(design, hung.address, folder))
                        continue
                    # A fresh server each time: one whose audio is missing stays wedged after its first client.
                    audio = "null" if scenario == "speechd" else "missing"
                    server = start_speech_dispatcher(folder / f"{scenario}-{design}-{run}", audio=audio)
                    try:
                        results.append(measure(design, server.address, folder))
                    finally:
                        server.stop()
                name = f"{scenario}_{design.replace('-', '_')}"
                _summary(name, results, "start")
                _summary(name, results, "stop")
    finally:
        hung.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
