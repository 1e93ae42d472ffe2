"""The kiosk side by side with the alternative a hospital would pick: the same content in Chromium's kiosk mode.

    python bench/bench_vs_chromium.py [--runs 5] [--sections 300] [--languages 100] [--timed 30]

Full screen on a virtual X screen (Xvfb 1920x1080) with a window manager (openbox), taps by xdotool, judged
from the root window's pixels (bench_responsiveness.Screen), for three programs in the same run, interleaved
(bare window, kiosk, Chromium, then again):

- the kiosk (``kiosk run``, speech and the on-screen keyboard on, as deployed);
- bench/bare_window.py: one full-screen PySide6 window with one button (the floor for a Qt program);
- Chromium (Debian ``chromium --kiosk``) on the kiosk's content exported as a static site by the kiosk's own
  exporter (``kiosk bundle export-html``), opened from file: URLs (no web server to count).

Per launch: launch -> first paint (the screen no longer shows the empty desktop); launch -> first tap acted on
(a tap every 100 ms on Arabic, until Arabic is on screen); PSS of the whole process tree (every process that
carries this run's tag in its environment, so speech-dispatcher and its voice modules, which detach from
their parent, and Chromium's zygotes count too); idle CPU and wakeups (all those processes' threads, from
schedstat's nanoseconds, over --idle-seconds, on the home screen after a tap); tap -> next page on screen
(a section, then home, ...; Chromium: the next section's link in the page header);
tap -> language switched on screen (kiosk: the picker's button for the next language; Chromium: the header's
link to the same page in that language); PSS after --sections section and --languages language switches.

A timed tap is timed from the moment xdotool has sent it until the first grab that shows what the screen
settles on (no change for SETTLE_S); each grab takes ~5 ms, so figures have that resolution. The first
--timed taps of each kind are timed, the rest only make up the count. Chromium's link positions are read
once from its own layout (a calibration page loads each exported page in a full-window frame and reports
the links' rectangles in its title).

BENCH_DEBUG=1 saves a grab of every timed tap that changed nothing (in the temporary folder).
Needs Debian xvfb, xdotool, openbox and chromium. Runs as root need Chromium's --no-sandbox (passed).
Figures are for one machine and one run: compare the ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median, percentile
from bench_responsiveness import Screen, start_display, stop
from bench_responsiveness import tap as send_tap

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TAG = "KIOSK_BENCH_TREE"
SCALE = 8  # grabs are compared at 1/8 size (every 8th pixel each way)
SETTLE_S = 0.35
TAP_TIMEOUT_S = 4.0
LAUNCH_TIMEOUT_S = 40.0
TAP_EVERY_S = 0.1
CHANGED_SAMPLES = 12
# Between two grabs: a grab keeps the single-threaded X server busy for ~5 ms, and back-to-back grabs would
# slow every program's drawing (Chromium's most: it has the most processes to schedule on two cores).
GRAB_GAP_S = 0.003
SIZE = (1920, 1080)
REFERENCE_FROM_Y = 150  # more differing samples than this: the screen changed


# --- the process tree --------------------------------------------------------------------------------
def tagged_processes(tag: str) -> list[int]:
    """Every process whose environment carries ``TAG=tag`` (the program and all it started, detached or not:
    speech-dispatcher leaves its parent) and their descendants (Chromium's children write their titles over
    their environment)."""
    marker = f"{TAG}={tag}".encode()
    found: set[int] = set()
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if marker in environ.read().split(b"\0"):
                    found.add(int(entry))
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    grown = True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in found and pid not in found}
        found |= children
        grown = bool(children)
    return sorted(found)


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def thread_cpu_and_wakeups(pid: int) -> dict[tuple[int, str], tuple[int, int]]:
    """Per thread of the process: nanoseconds on a CPU and times it was scheduled in.

    schedstat counts in nanoseconds; /proc/PID/stat's ticks are 10 ms, too coarse for an idle program.
    """
    found: dict[tuple[int, str], tuple[int, int]] = {}
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for thread in threads:
        try:
            with open(f"/proc/{pid}/task/{thread}/schedstat", encoding="ascii") as schedstat:
                on_cpu, _waiting, slices = schedstat.read().split()[:3]
            found[(pid, thread)] = (int(on_cpu), int(slices))
        except (OSError, ValueError):
            continue
    return found


def command_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            parts = cmdline.read().split(b"\0")
    except OSError:
        return "?"
    words = [part.decode(errors="replace") for part in parts if part]
    if not words:
        return "?"
    name = Path(words[0]).name
    if name.startswith("python") and "-m" in words:
        return " ".join(words[words.index("-m") + 1:words.index("-m") + 3])
    if name.startswith("chromium"):  # children write their title over their command line
        words = " ".join(words).split()
        kind = next((word.split("=", 1)[1] for word in words if word.startswith("--type=")), "")
        if not kind:
            kind = ("renderer" if any(word.startswith("--renderer-client-id") for word in words)
                    else "gpu" if any(word.startswith("--gpu-preferences") for word in words)
                    else "utility" if any(word.startswith("--shared-files") for word in words)
                    else "browser" if len(words) > 1 and name == "chromium" else "zygote")
        return f"chromium {kind}"
    return name


def tree_pss(tag: str) -> tuple[float, list[tuple[str, float]]]:
    processes = [(command_name(pid), pss_kb(pid) / 1024) for pid in tagged_processes(tag)]
    return sum(mb for _name, mb in processes), sorted(processes, key=lambda item: -item[1])


def idle_cpu(tag: str, seconds: float) -> tuple[float, float, dict[str, float]]:
    """Percent of one core and wakeups per second of every thread in the tree, over ``seconds``.

    Counted per thread: a thread started meanwhile counts from zero, one that ended is left out (summing
    per process would subtract an ended thread's whole life).
    """
    def sample() -> dict[tuple[int, str], tuple[int, int]]:
        found: dict[tuple[int, str], tuple[int, int]] = {}
        for pid in tagged_processes(tag):
            found.update(thread_cpu_and_wakeups(pid))
        return found

    before = sample()
    time.sleep(seconds)
    after = sample()
    nanoseconds = sum(cpu - before.get(key, (0, 0))[0] for key, (cpu, _woken) in after.items())
    wakeups = sum(woken - before.get(key, (0, 0))[1] for key, (_cpu, woken) in after.items())
    by_process: dict[str, float] = {}
    for key, (cpu, _woken) in after.items():
        name = command_name(key[0])
        by_process[name] = by_process.get(name, 0.0) + (cpu - before.get(key, (0, 0))[0]) / 1e6
    return 100.0 * nanoseconds / 1e9 / seconds, wakeups / seconds, by_process


def kill_tagged(tag: str) -> None:
    for pid in tagged_processes(tag):
        with contextlib.suppress(OSError):
            os.kill(pid, 9)


# --- pixels ----------------------------------------------------------------------------------------------
class Probe(Screen):
    """Grabs of the whole root window, shrunk to every 8th pixel, compared sample by sample."""

    def fingerprint(self) -> memoryview:
        from PySide6.QtCore import Qt

        time.sleep(GRAB_GAP_S)
        image = self._screen.grabWindow(0).toImage()
        self.image = image
        small = image.scaled(image.width() // SCALE, image.height() // SCALE,
                             Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation)
        return memoryview(bytes(small.constBits())).cast("I")

    @staticmethod
    def difference(first: memoryview, second: memoryview) -> int:
        return sum(1 for a, b in zip(first, second, strict=True) if a != b)

    def changed(self, first: memoryview, second: memoryview) -> bool:
        return self.difference(first, second) > CHANGED_SAMPLES

    def timed_tap(self, x: int, y: int) -> float | None:
        """Seconds from a tap to the first grab showing what the screen settled on (None: nothing changed)."""
        wait_for_gap()
        before = self.fingerprint()
        tap(x, y)
        tapped = time.perf_counter()
        frames: list[tuple[float, memoryview]] = []
        previous, last_change, moved = before, tapped, False
        while time.perf_counter() - tapped < TAP_TIMEOUT_S:
            shot = self.fingerprint()
            seen = time.perf_counter()
            frames.append((seen, shot))
            if self.changed(shot, previous):
                last_change, moved = seen, True
            previous = shot
            if moved and seen - last_change > SETTLE_S:
                break
        if not moved:
            if os.environ.get("BENCH_DEBUG"):
                self.image.save(str(Path(tempfile.gettempdir()) / f"bench-unchanged-{x}-{y}.png"))
            return None
        final = frames[-1][1]
        return next(seen for seen, shot in frames if not self.changed(shot, final)) - tapped


_last_tap = [0.0]
# The kiosk ignores a touch that starts within touch.repeat_ignore_ms of the previous one (a bouncing hand
# counts once); taps in a walk are spaced so that none is ignored. Set by each program before it runs.
tap_gap = [0.0]


def wait_for_gap() -> None:
    wait = _last_tap[0] + tap_gap[0] - time.perf_counter()
    if wait > 0:
        time.sleep(wait)


def tap(x: int, y: int) -> None:
    wait_for_gap()
    send_tap(x, y)
    _last_tap[0] = time.perf_counter()


def centre(rect: list[int]) -> tuple[int, int]:
    x, y, width, height = rect
    return x + width // 2, y + height // 2


# --- the three programs -------------------------------------------------------------------------------
@dataclass
class Figures:
    first_paint: list[float] = field(default_factory=list)
    first_tap: list[float] = field(default_factory=list)
    pss: list[float] = field(default_factory=list)
    processes: list[int] = field(default_factory=list)
    idle_cpu: list[float] = field(default_factory=list)
    idle_wakeups: list[float] = field(default_factory=list)
    page: list[float] = field(default_factory=list)
    language: list[float] = field(default_factory=list)
    pss_after: list[float] = field(default_factory=list)
    missed: int = 0
    breakdown: list[tuple[str, float]] = field(default_factory=list)
    idle_breakdown: dict[str, float] = field(default_factory=dict)  # ms on a CPU while idle, last run


class Program:
    name = ""
    source = ROOT  # the folder it runs in
    gap_s = 0.0  # the least time between two taps that both count

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.figures = Figures()

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self, tag: str, runtime: Path) -> dict[str, str]:
        env = {**os.environ, TAG: tag, "XDG_RUNTIME_DIR": str(runtime), "QT_QPA_PLATFORM": "xcb",
               # Compiled bytecode, as an installed or frozen kiosk has it (kept out of the source tree).
               "PYTHONPYCACHEPREFIX": str(self.bench.pycache)}
        env.pop("KIOSK_SPEECH_ENGINE", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def acted_on(self) -> bool:
        raise NotImplementedError

    def first_tap_at(self) -> tuple[int, int]:
        raise NotImplementedError

    def home_position(self) -> tuple[int, int]:
        """Where a tap leads back to the Arabic start of a walk (the home screen, the Arabic index page)."""
        return self.first_tap_at()

    def section_taps(self, count: int):
        """(x, y) of each tap of a walk through the sections, computed as the walk goes."""
        return iter(())

    def language_taps(self, count: int):
        """Lists of (x, y, timed) taps, one list per language switch."""
        return iter(())

    def run(self, args: argparse.Namespace) -> None:
        probe, figures = self.bench.probe, self.figures
        tap_gap[0] = 0.0  # the first taps come as fast as a patient's may, whether counted or not
        tag = uuid.uuid4().hex
        with tempfile.TemporaryDirectory(prefix="bench-run-") as runtime:
            os.chmod(runtime, 0o700)
            empty = probe.fingerprint()
            start = time.perf_counter()
            process = subprocess.Popen(self.command(), cwd=self.source, env=self.env(tag, Path(runtime)),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                painted = acted = None
                taps: list[float] = []
                x, y = self.first_tap_at()
                while time.perf_counter() - start < LAUNCH_TIMEOUT_S and acted is None:
                    if painted is not None and (not taps or time.perf_counter() - taps[-1] >= TAP_EVERY_S):
                        tap(x, y)
                        taps.append(time.perf_counter())
                    shot = probe.fingerprint()
                    seen = time.perf_counter() - start
                    if painted is None and probe.difference(shot, empty) > len(shot) // 20:
                        painted = seen
                    if taps and self.acted_on():
                        acted = seen
                if acted is None:
                    probe.image.save(str(Path(tempfile.gettempdir()) / "bench-vs-chromium-no-answer.png"))
                    raise RuntimeError(f"{self.name}: no tap acted on within {LAUNCH_TIMEOUT_S} s")
                figures.first_paint.append(painted)
                figures.first_tap.append(acted)
                time.sleep(1.0)
                # Taps sent while the answer was on its way may have landed on the new screen.
                tap_gap[0] = self.gap_s
                tap(*self.home_position())
                time.sleep(args.settle_seconds)  # what starts after the first frame (speech, services) is up
                total, breakdown = tree_pss(tag)
                figures.pss.append(total)
                figures.processes.append(len(breakdown))
                figures.breakdown = breakdown
                cpu, wakeups, figures.idle_breakdown = idle_cpu(tag, args.idle_seconds)
                figures.idle_cpu.append(cpu)
                figures.idle_wakeups.append(wakeups)
                for index, (tx, ty) in enumerate(self.section_taps(args.sections)):
                    if index < args.timed:
                        self.record(figures.page, probe.timed_tap(tx, ty))
                    else:
                        tap(tx, ty)
                        time.sleep(args.pause)
                for index, switch in enumerate(self.language_taps(args.languages)):
                    for tx, ty, timed in switch:
                        if timed and index < args.timed:
                            self.record(figures.language, probe.timed_tap(tx, ty))
                        else:
                            tap(tx, ty)
                            time.sleep(args.pause)
                if args.sections or args.languages:
                    time.sleep(args.settle_seconds)
                    figures.pss_after.append(tree_pss(tag)[0])
            finally:
                stop(process)
                kill_tagged(tag)
                time.sleep(0.3)

    def record(self, into: list[float], seconds: float | None) -> None:
        if seconds is None:
            self.figures.missed += 1
        else:
            into.append(seconds)


class BareWindow(Program):
    name = "bare PySide6 window"

    def command(self) -> list[str]:
        return [sys.executable, str(BENCH / "bare_window.py")]

    def env(self, tag: str, runtime: Path) -> dict[str, str]:
        rect = self.bench.layout["arabic_button"]
        return {**super().env(tag, runtime), "BENCH_BARE_BUTTON": ",".join(str(value) for value in rect)}

    def first_tap_at(self) -> tuple[int, int]:
        return centre(self.bench.layout["arabic_button"])

    def home_position(self) -> tuple[int, int]:
        return 10, 10  # beside the button: changes nothing

    def acted_on(self) -> bool:
        return self.bench.probe.red([20, 20, 300, 150])  # the window, not the button (which is lit under the pointer)

    def section_taps(self, count: int):
        for _ in range(count):
            yield self.first_tap_at()  # each tap turns the window red or back


def language_steps(codes: list[str], count: int, first: str = "ar"):
    """``count`` switches through ``codes`` in order, starting from Arabic: (shown now, switched to)."""
    current = first
    for _ in range(count):
        target = codes[(codes.index(current) + 1) % len(codes)]
        yield current, target
        current = target


class KioskRun(Program):
    name = "the kiosk"
    gap_s = 0.6  # touch.repeat_ignore_ms is 400 by default, counted from when the kiosk saw the release

    def __init__(self, bench: Bench, source: Path = ROOT, name: str = "") -> None:
        super().__init__(bench)
        self.source = source
        self.name = name or self.name

    def command(self) -> list[str]:
        return [sys.executable, "-m", "kiosk", "run", "--config", str(self.bench.config)]

    def env(self, tag: str, runtime: Path) -> dict[str, str]:
        return {**super().env(tag, runtime), "KIOSK_HOME": str(self.bench.home), "PYTHONPATH": str(self.source)}

    def first_tap_at(self) -> tuple[int, int]:
        return centre(self.bench.layout["arabic_button"])

    def acted_on(self) -> bool:
        return self.bench.probe.red(self.bench.layout["by_language"]["ar"]["consult"])

    def home_position(self) -> tuple[int, int]:
        return centre(self.bench.layout["by_language"]["ar"]["home_button"])

    def section_taps(self, count: int):
        places = self.bench.layout["by_language"]["ar"]
        for index in range(count):
            if index % 2 == 0:
                yield centre(places["tiles"][(index // 2) % len(places["tiles"])])
            else:
                yield centre(places["home_button"])

    def language_taps(self, count: int):
        places = self.bench.layout["by_language"]
        for current, target in language_steps(list(places), count):
            yield [(*centre(places[current]["language_button"]), False),
                   (*centre(places[current]["picker"][target]), True)]


class ChromiumRun(Program):
    name = "Chromium --kiosk"

    def command(self) -> list[str]:
        return chromium_command(self.bench.site / "index.html", self.bench.profile)

    def first_tap_at(self) -> tuple[int, int]:
        return centre(self.bench.chromium_layout["start"]["ar"])

    def acted_on(self) -> bool:
        # Below the header only: the taps that follow the one that counted select the header's text there.
        reference, probe = self.bench.chromium_reference, self.bench.probe
        below = REFERENCE_FROM_Y // SCALE * (SIZE[0] // SCALE)
        return reference is not None and not probe.changed(probe.fingerprint()[below:], reference[below:])

    def home_position(self) -> tuple[int, int]:
        return centre(self.bench.chromium_layout["sections"]["index"]["index"])  # the header's first link

    def section_taps(self, count: int):
        pages = self.bench.chromium_layout["sections"]
        order = list(pages)  # index, then each section, as the header lists them
        current = "index"
        for _ in range(count):
            target = order[(order.index(current) + 1) % len(order)]
            yield centre(pages[current][target])
            current = target
        if current != "index":
            yield centre(pages[current]["index"])

    def language_taps(self, count: int):
        places = self.bench.chromium_layout["languages"]
        for current, target in language_steps(list(places), count):
            yield [(*centre(places[current][target]), True)]


def chromium_command(page: Path, profile: Path, *extra: str) -> list[str]:
    # What a hospital's kiosk profile would say: no offer to translate the page (it covers the top corner).
    (profile / "Default").mkdir(parents=True, exist_ok=True)
    preferences = profile / "Default" / "Preferences"
    if not preferences.exists():
        preferences.write_text('{"translate": {"enabled": false}}', encoding="utf-8")
    # --incognito as kiosk set-ups run it: nothing of one visitor (history, visited-link colours) is kept.
    return ["chromium", "--kiosk", "--incognito", "--no-sandbox", "--no-first-run", "--noerrdialogs",
            "--password-store=basic",
            "--disable-session-crashed-bubble", "--disable-features=Translate", f"--user-data-dir={profile}",
            *extra, page.as_uri()]


CALIBRATION = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>calibrating</title>
<style>html,body{margin:0;overflow:hidden}iframe{position:fixed;left:0;top:0;width:100vw;height:100vh;border:0}
</style></head><body><iframe id="f"></iframe><script>
const pages = PAGES, out = [], frame = document.getElementById("f"); let at = 0;
const rect = e => { const b = e.getBoundingClientRect();
  return [Math.round(b.left), Math.round(b.top), Math.round(b.width), Math.round(b.height)]; };
frame.onload = () => {
  const links = {};
  for (const a of frame.contentDocument.querySelectorAll("a")) {
    const key = a.getAttribute("hreflang") || a.getAttribute("lang") || a.getAttribute("href").replace(".html", "");
    if (!(key in links)) links[key] = a;  // the header's, not a link in the text to the same page
  }
  out.push(pages[at][1].map(key => rect(links[key])).flat()); at += 1;
  if (at < pages.length) frame.src = pages[at][0]; else document.title = JSON.stringify(out);
};
frame.src = pages[0][0];
</script></body></html>
"""


# --- the run ---------------------------------------------------------------------------------------------
class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        from kiosk.outbox.sealing import generate_keypair

        self.args = args
        self.home = work / "home"
        self.home.mkdir()
        self.config = work / "config.toml"
        self.config.write_text(f'[delivery]\nhospital_public_key = "{generate_keypair()[1]}"\n', encoding="utf-8")
        self.site = work / "site"
        self.profile = work / "chromium-profile"
        self.pycache = work / "pycache"
        self.probe = Probe()
        subprocess.run([sys.executable, "-m", "kiosk", "bundle", "export-html", str(ROOT / "content"), "--out",
                        str(self.site)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "KIOSK_HOME": str(self.home), "PYTHONPATH": str(ROOT)})
        self.layout = json.loads(subprocess.run(
            [sys.executable, str(BENCH / "kiosk_layout.py"), "--config", str(self.config)], cwd=ROOT,
            env={**os.environ, "KIOSK_HOME": str(self.home), "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
            capture_output=True, text=True, check=True).stdout)
        self.chromium_layout = self.calibrate_chromium(work)
        self.chromium_reference = None
        self.chromium_reference = self.arabic_index_reference()

    def calibrate_chromium(self, work: Path) -> dict:
        """Where Chromium puts the links a patient taps: each page's rectangles of the links wanted from it
        (a window title holds 4 KB, so only those)."""
        languages = [path.parent.name for path in sorted(self.site.glob("*/index.html"))]
        from kiosk.bundle.library import ContentLibrary

        sections = ["index", *ContentLibrary(ROOT / "content").section_ids]
        wanted = [("index.html", ["ar"])]
        wanted += [(f"{code}/index.html", languages) for code in languages]
        wanted += [(f"ar/{name}.html", sections) for name in sections]
        calibration = self.site / "calibrate.html"
        calibration.write_text(CALIBRATION.replace("PAGES", json.dumps(wanted)), encoding="utf-8")
        process = subprocess.Popen(chromium_command(calibration, work / "calibration-profile",
                                                    "--allow-file-access-from-files"),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                title = subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "chromium", "getwindowname",
                                        "%@"], capture_output=True, text=True).stdout
                line = next((line for line in title.splitlines() if line.startswith("[")), "")
                if line:
                    found = json.loads(line[:line.rindex("]") + 1])
                    break
                time.sleep(0.3)
            else:
                raise RuntimeError("Chromium's calibration page reported nothing")
        finally:
            stop(process)
            calibration.unlink()
        rects: dict[str, dict[str, list[int]]] = {}
        for (page, keys), values in zip(wanted, found, strict=True):
            rects.setdefault(page, {}).update({key: values[4 * i:4 * i + 4] for i, key in enumerate(keys)})
        return {"start": rects["index.html"],
                "languages": {code: rects[f"{code}/index.html"] for code in languages},
                "sections": {name: rects[f"ar/{name}.html"] for name in sections}}

    def arabic_index_reference(self) -> memoryview:
        """What Chromium shows once the start page's Arabic tile was tapped (a warm-up launch)."""
        process = subprocess.Popen(ChromiumRun(self).command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, TAG: "reference"})
        try:
            time.sleep(4.0)
            tap(*centre(self.chromium_layout["start"]["ar"]))
            time.sleep(2.0)
            reference = self.probe.fingerprint()
            self.probe.image.save(str(Path(tempfile.gettempdir()) / "bench-vs-chromium-reference.png"))
            return reference
        finally:
            stop(process)
            kill_tagged("reference")
            time.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sections", type=int, default=300, help="section switches per launch")
    parser.add_argument("--languages", type=int, default=100, help="language switches per launch")
    parser.add_argument("--timed", type=int, default=30, help="how many of each kind are timed")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds after an untimed tap")
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--settle-seconds", type=float, default=5.0, help="after the first tap, before measuring")
    parser.add_argument("--display", type=int, default=78)
    parser.add_argument("--only", default="", help="comma-separated subset: bare,kiosk,chromium,before")
    parser.add_argument("--before", type=Path, help="another copy of the kiosk's source (e.g. the previous "
                        "commit's) run as a fourth program, interleaved: before and after in one run")
    args = parser.parse_args()
    if not shutil.which("chromium"):
        sys.exit("bench_vs_chromium: needs chromium (apt-get install -y chromium)")
    helpers = start_display(args.display)
    sys.path.insert(0, str(ROOT))
    try:
        with tempfile.TemporaryDirectory(prefix="bench-vs-chromium-") as tmp:
            bench = Bench(args, Path(tmp))
            programs = {"bare": BareWindow(bench), "kiosk": KioskRun(bench), "chromium": ChromiumRun(bench)}
            if args.before:
                programs["before"] = KioskRun(bench, args.before.resolve(), "the kiosk before")
            chosen = [programs[name] for name in (args.only.split(",") if args.only else programs)]
            warm_up = argparse.Namespace(**{**vars(args), "sections": 0, "languages": 0, "idle_seconds": 0.1,
                                            "settle_seconds": 0.5})
            for program in chosen:  # file caches warmed alike; figures dropped
                program.run(warm_up)
                program.figures = Figures()
            for run in range(args.runs):
                for program in chosen:
                    program.run(args)
                    print(f"run {run + 1}: {program.name} done", file=sys.stderr, flush=True)
            print_table(chosen, args)
    finally:
        for helper in helpers:
            stop(helper)


def print_table(programs: list[Program], args: argparse.Namespace) -> None:
    def cell(values: list[float], scale: float, unit: str, digits: int = 0) -> str:
        return f"{median(values) * scale:.{digits}f} {unit}" if values else "-"

    def p95(values: list[float]) -> str:
        if not values:
            return "-"
        return f"{median(values) * 1000:.0f} / {percentile(values, 0.95) * 1000:.0f} ms"

    rows = [("launch -> first paint", lambda f: cell(f.first_paint, 1000, "ms"), lambda f: f.first_paint),
            ("launch -> first tap acted on", lambda f: cell(f.first_tap, 1000, "ms"), lambda f: f.first_tap),
            ("PSS of the whole process tree", lambda f: cell(f.pss, 1, "MB")
             + f" ({max(f.processes, default=0)} proc)", lambda f: f.pss),
            ("idle CPU (% of a core)", lambda f: cell(f.idle_cpu, 1, "%", 3), lambda f: f.idle_cpu),
            ("idle wakeups per second", lambda f: cell(f.idle_wakeups, 1, "/s", 1), lambda f: f.idle_wakeups),
            ("tap -> next page (median / p95)", lambda f: p95(f.page), lambda f: f.page),
            ("tap -> language switched (med / p95)", lambda f: p95(f.language), lambda f: f.language),
            (f"PSS after {args.sections} sections, {args.languages} languages", lambda f: cell(f.pss_after, 1, "MB"),
             lambda f: f.pss_after)]
    names = [program.name for program in programs]
    print(f"\nmedians of {args.runs} interleaved runs; timed taps: first {args.timed} of each kind per launch")
    print("| figure | " + " | ".join(names) + " | kiosk / Chromium | kiosk / bare |")
    print("|---|" + "---|" * (len(names) + 2))
    by_name = {program.name: program.figures for program in programs}
    for label, show, values in rows:
        ratios = []
        kiosk = by_name.get(KioskRun.name)
        for peer in (ChromiumRun.name, BareWindow.name):
            other = by_name.get(peer)
            if kiosk and other and values(kiosk) and values(other) and median(values(other)) > 0:
                ratios.append(f"{median(values(kiosk)) / median(values(other)):.2f}x")
            else:
                ratios.append("-")
        print(f"| {label} | " + " | ".join(show(by_name[name]) for name in names) + " | " + " | ".join(ratios) + " |")
    for program in programs:
        if program.figures.missed:
            print(f"{program.name}: {program.figures.missed} timed taps changed nothing on screen")
        print(f"{program.name}, PSS per process (last run): "
              + ", ".join(f"{name} {mb:.1f} MB" for name, mb in program.figures.breakdown))
        print(f"{program.name}, CPU while idle per process (last run, {args.idle_seconds:.0f} s): "
              + ", ".join(f"{name} {ms:.1f} ms" for name, ms in
                          sorted(program.figures.idle_breakdown.items(), key=lambda item: -item[1])))


if __name__ == "__main__":
    main()
