"""How quickly the kiosk answers a patient's touches from its first frame, against a bare PySide6 window.

    python bench/bench_responsiveness.py [--runs 5] [--seconds 30] [--speech-engine mock]

Full screen on a virtual X screen (Xvfb 1920x1080) with a window manager (openbox), judged from the pixels of
the root window as a patient would see them:

- launch -> complete start screen: process start until every language button of the start screen is drawn
  (each button's area is no longer one flat colour);
- launch -> first tap acted on: a tap (xdotool) on the Arabic button every 100 ms from launch, until the home
  screen shows (the red consultation button in the top bar), and whether it came up in Arabic (that button on
  the left) or in English (a tap that landed before the language row existed starts the visit in English);
- the same for bench/bare_window.py with one button at the Arabic button's place (acted on: it turns red);
  interleaved, medians, ratios;
- GUI-thread stalls (bench/kiosk_heartbeat.py: a 5 ms timer in the kiosk process) over the first --seconds
  after launch and over a scripted journey (Arabic -> three sections -> form -> eight keys of the on-screen
  keyboard -> home; positions from bench/kiosk_layout.py).

Needs Debian xvfb, xdotool and openbox. Figures are for one machine and one run: compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median, percentile, report

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SIZE = (1920, 1080)
TAP_EVERY_S = 0.1
LAUNCH_TIMEOUT_S = 40.0


def start_display(number: int) -> list[subprocess.Popen]:
    for tool in ("Xvfb", "xdotool", "openbox"):
        if not shutil.which(tool):
            sys.exit(f"bench_responsiveness: needs {tool} (apt-get install -y xvfb xdotool openbox)")
    display = f":{number}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-br", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ["DISPLAY"] = display
    deadline = time.time() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if time.time() > deadline:
            sys.exit("bench_responsiveness: Xvfb did not start")
        time.sleep(0.05)
    window_manager = subprocess.Popen(["openbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return [window_manager, xvfb]


class Screen:
    """Grabs of the X root window, read through Qt on the same display."""

    def __init__(self) -> None:
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        from PySide6.QtGui import QGuiApplication

        self._app = QGuiApplication(sys.argv[:1])
        self._screen = QGuiApplication.primaryScreen()
        self.image = None

    def grab(self):
        self.image = self._screen.grabWindow(0).toImage()
        return self.image

    def samples(self, rect: list[int], step: int = 6) -> list[tuple[int, int, int]]:
        x0, y0, width, height = rect
        image = self.image
        out = []
        for y in range(y0 + 2, y0 + height - 2, step):
            for x in range(x0 + 2, x0 + width - 2, step):
                colour = image.pixelColor(x, y)
                out.append((colour.red(), colour.green(), colour.blue()))
        return out

    def drawn(self, rect: list[int]) -> bool:
        return len(set(self.samples(rect))) > 1

    def red(self, rect: list[int]) -> bool:
        colours = self.samples(rect, step=8)
        reddish = sum(1 for r, g, b in colours if r > 110 and g < 100 and b < 80 and r - g > 60)
        return reddish > 0.4 * len(colours)

    def changed_fraction(self, before, after, step: int = 24) -> float:
        changed = total = 0
        for y in range(0, SIZE[1], step):
            for x in range(0, SIZE[0], step):
                total += 1
                changed += before.pixel(x, y) != after.pixel(x, y)
        return changed / total


def tap(x: int, y: int) -> None:
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], check=False)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Bench:
    def __init__(self, args: argparse.Namespace, home: Path, config: Path, layout: dict) -> None:
        self.args, self.home, self.config, self.layout = args, home, config, layout
        self.screen = Screen()

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "KIOSK_HOME": str(self.home), "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
        env.pop("KIOSK_SPEECH_ENGINE", None)
        if self.args.speech_engine:
            env["KIOSK_SPEECH_ENGINE"] = self.args.speech_engine
        env.update(extra)
        return env

    def kiosk_command(self) -> list[str]:
        return [sys.executable, "-m", "kiosk", "run", "--config", str(self.config)]

    def bare_command(self) -> list[str]:
        return [sys.executable, str(BENCH / "bare_window.py")]

    def bare_env(self) -> dict[str, str]:
        return self.env(BENCH_BARE_BUTTON=",".join(str(v) for v in self.layout["arabic_button"]))

    def launch_to_start_screen(self, command: list[str], env: dict[str, str], rects: list[list[int]]) -> float:
        start = time.time()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while time.time() - start < LAUNCH_TIMEOUT_S:
                self.screen.grab()
                seen = time.time()
                if all(self.screen.drawn(rect) for rect in rects):
                    return seen - start
            raise RuntimeError(f"no complete start screen within {LAUNCH_TIMEOUT_S} s: {command}")
        finally:
            stop(process)
            time.sleep(0.3)

    def launch_to_first_tap(self, command: list[str], env: dict[str, str], acted_rects: list[list[int]]
                            ) -> tuple[float, float, bool]:
        """Seconds to the screen answering a tap, seconds to the tap that counted, and whether it was Arabic."""
        x, y, width, height = self.layout["arabic_button"]
        start = time.time()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        taps: list[float] = []
        try:
            while time.time() - start < LAUNCH_TIMEOUT_S:
                if not taps or time.time() - taps[-1] >= TAP_EVERY_S:
                    taps.append(time.time())
                    tap(x + width // 2, y + height // 2)
                self.screen.grab()
                seen = time.time()
                answered = [rect for rect in acted_rects if self.screen.red(rect)]
                if answered:
                    # The tap that counted: the last one sent before the answer was on screen (an upper bound).
                    counted = max(t for t in taps if t <= seen)
                    return seen - start, counted - start, answered[0] is acted_rects[0]
            raise RuntimeError(f"no tap acted on within {LAUNCH_TIMEOUT_S} s: {command}")
        finally:
            stop(process)
            time.sleep(0.3)

    def journey(self) -> None:
        gaps_file = self.home / "gaps.txt"
        gaps_file.unlink(missing_ok=True)
        start = time.time()
        command = [sys.executable, str(BENCH / "kiosk_heartbeat.py"), "run", "--config", str(self.config)]
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=self.env(KIOSK_BENCH_GAPS=str(gaps_file), KIOSK_BENCH_START=repr(start)))
        steps = []
        try:
            while True:
                self.screen.grab()
                if all(self.screen.drawn(rect) for rect in self.layout["language_buttons"]):
                    break
                if time.time() - start > LAUNCH_TIMEOUT_S:
                    raise RuntimeError("the kiosk's start screen never completed")
            time.sleep(0.5)
            journey_start = time.time() - start
            for step in self.layout["taps"]:
                before = self.screen.grab()
                at = time.time() - start
                tap(step["x"], step["y"])
                time.sleep(step["pause_ms"] / 1000)
                after = self.screen.grab()
                steps.append((step["name"], at, self.screen.changed_fraction(before, after)))
            journey_end = time.time() - start
            arabic_home = self.screen.red(self.layout["consult_ar"])
            while time.time() - start < self.args.seconds:
                time.sleep(0.2)
            time.sleep(1.5)  # the heartbeat writes once a second
        finally:
            stop(process)
        gaps = [tuple(float(v) for v in line.split()) for line in gaps_file.read_text().splitlines()]
        print("journey (tap at s after launch, share of the screen changed after its pause):")
        for name, at, changed in steps:
            print(f"  {at:7.2f} s  {changed:5.1%}  {name}")
        print(f"  ended on the Arabic home screen: {arabic_home}")
        windows = {f"first_{self.args.seconds}s": (0.0, float(self.args.seconds)),
                   "journey": (journey_start, journey_end)}
        for label, (low, high) in windows.items():
            inside = [gap for at, gap in gaps if low <= at <= high]
            if not inside:
                print(f"stalls_{label}: no heartbeat recorded")
                continue
            report(f"stall_{label}_max", max(inside), "ms")
            report(f"stall_{label}_p99", percentile(inside, 0.99), "ms")
        first_beat = gaps[0][0] - gaps[0][1] / 1000 if gaps else float("nan")
        print(f"heartbeat started at {first_beat:.2f} s after launch (the QApplication exists)")
        print("stalls over 100 ms (ended at s after launch, length, the last tap before it):")
        for at, gap in gaps:
            if gap > 100:
                before = [name for name, tapped, _ in steps if tapped <= at]
                print(f"  {at:7.2f} s  {gap:7.1f} ms  {before[-1] if before else '(start-up)'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=30, help="length of the stall window after launch")
    parser.add_argument("--speech-engine", default="", help="e.g. mock (default: the real engine path)")
    parser.add_argument("--display", type=int, default=77)
    args = parser.parse_args()
    helpers = start_display(args.display)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            sys.path.insert(0, str(ROOT))
            from kiosk.outbox.sealing import generate_keypair

            config = home / "config.toml"
            config.write_text(f'[delivery]\nhospital_public_key = "{generate_keypair()[1]}"\n', encoding="utf-8")
            layout = json.loads(subprocess.run(
                [sys.executable, str(BENCH / "kiosk_layout.py"), "--config", str(config)], cwd=ROOT,
                env={**os.environ, "KIOSK_HOME": str(home), "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
                capture_output=True, text=True, check=True).stdout)
            bench = Bench(args, home, config, layout)
            run_figures(bench, args.runs)
            bench.journey()
    finally:
        for helper in helpers:
            stop(helper)


def run_figures(bench: Bench, runs: int) -> None:
    layout = bench.layout
    kiosk_start, bare_start, kiosk_tap, bare_tap, kiosk_counted, bare_counted = [], [], [], [], [], []
    arabic = []
    bench.launch_to_start_screen(bench.kiosk_command(), bench.env(), layout["language_buttons"])  # warm caches
    for _ in range(runs):
        bare_start.append(bench.launch_to_start_screen(bench.bare_command(), bench.bare_env(),
                                                       [layout["arabic_button"]]))
        kiosk_start.append(bench.launch_to_start_screen(bench.kiosk_command(), bench.env(),
                                                        layout["language_buttons"]))
        answered, counted, _ = bench.launch_to_first_tap(bench.bare_command(), bench.bare_env(),
                                                         [layout["consult_ar"]])
        bare_tap.append(answered)
        bare_counted.append(counted)
        answered, counted, was_arabic = bench.launch_to_first_tap(bench.kiosk_command(), bench.env(),
                                                                  [layout["consult_ar"], layout["consult_en"]])
        kiosk_tap.append(answered)
        kiosk_counted.append(counted)
        arabic.append(was_arabic)
    print(f"{'':34}{'kiosk':>10}{'bare':>10}{'ratio':>8}")
    for name, kiosk, bare in (("launch -> complete start screen", kiosk_start, bare_start),
                              ("launch -> first tap acted on", kiosk_tap, bare_tap),
                              ("launch -> the tap that counted", kiosk_counted, bare_counted)):
        print(f"{name:34}{median(kiosk) * 1000:8.0f}ms{median(bare) * 1000:8.0f}ms"
              f"{median(kiosk) / median(bare):7.2f}x")
    report("start_screen_kiosk_median", median(kiosk_start) * 1000, "ms")
    report("start_screen_bare_median", median(bare_start) * 1000, "ms")
    report("first_tap_acted_kiosk_median", median(kiosk_tap) * 1000, "ms")
    report("first_tap_acted_bare_median", median(bare_tap) * 1000, "ms")
    print(f"first tap opened Arabic in {sum(arabic)} of {len(arabic)} kiosk runs "
          f"(the others started in English: the tap landed before the language row existed)")
    print("kiosk runs (start screen, tap acted on) s: "
          + ", ".join(f"({s:.2f}, {t:.2f})" for s, t in zip(kiosk_start, kiosk_tap, strict=True)))


if __name__ == "__main__":
    main()
