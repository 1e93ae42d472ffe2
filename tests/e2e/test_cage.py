"""The kiosk as deployed: a Wayland client of cage, judged by the compositor's own pixels (grim).

Also the same full-screen window on a bare X server, where no window manager makes it full screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from kiosk.ui.theme import DEFAULT_PALETTE
from tests.e2e.cage_session import (
    HEADLESS_SIZE,
    REPO_ROOT,
    Account,
    CageError,
    CageKiosk,
    DriverProcess,
    Ready,
    Runtime,
    start_xvfb,
)
from tests.e2e.conftest import size_id

pytestmark = pytest.mark.slow

CAGE_BACKGROUND = QColor(0, 0, 0)  # what cage shows where no window is
STEPS = ["start:en", "start:ar", "form:ar", "keyboard:full_name", "form:ru", "keyboard:email", "form:en",
         "keyboard:description"]
KEYBOARD_STEPS = [("form:ar", "keyboard:full_name"), ("form:ru", "keyboard:email"), ("form:en", "keyboard:description")]


@dataclass
class Shot:
    ready: Ready
    image: QImage


@pytest.fixture(scope="module")
def shots(cage_runtime: tuple[Account, Runtime], output_size: tuple[int, int],
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Shot]]:
    """One kiosk under cage per output size, walked through STEPS, photographed by grim at each."""
    folder = tmp_path_factory.mktemp(f"cage-{size_id(output_size)}")
    session = CageKiosk(*cage_runtime, output_size, headless=False)  # see CageKiosk.headless
    taken: dict[str, Shot] = {}
    try:
        session.start(STEPS)
        for _ in STEPS:
            ready = session.wait_ready()
            path = session.screenshot(folder / f"{ready.step.replace(':', '-')}.png")
            taken[ready.step] = Shot(ready, QImage(str(path)))
            session.next()
        assert session.driver.wait_exit() == 0, session.driver.log_tail()
        yield taken
    finally:
        session.close()


def border_pixels(image: QImage) -> list[QColor]:
    width, height = image.width(), image.height()
    points = [(x, y) for x in range(width) for y in (0, height - 1)]
    points += [(x, y) for y in range(height) for x in (0, width - 1)]
    return [image.pixelColor(x, y) for x, y in points]


def distinct_colours(image: QImage, rect: list[int]) -> int:
    x0, y0, width, height = rect
    xs = range(max(x0, 0), min(x0 + width, image.width()), 2)
    ys = range(max(y0, 0), min(y0 + height, image.height()), 2)
    return len({image.pixel(x, y) for x in xs for y in ys})


@pytest.mark.parametrize("step", ["start:en", "start:ar"])
def test_start_screen_fills_the_output(shots: dict[str, Shot], output_size: tuple[int, int], step: str) -> None:
    shot = shots[step]
    assert (shot.image.width(), shot.image.height()) == output_size
    assert shot.ready.facts["platform"] == "wayland"
    assert shot.ready.facts["screen"] == list(output_size)
    assert shot.ready.facts["current"] == "attract"
    corners = [(0, 0), (output_size[0] - 1, 0), (0, output_size[1] - 1), (output_size[0] - 1, output_size[1] - 1)]
    background = QColor(DEFAULT_PALETTE.background)
    assert [shot.image.pixelColor(*corner).name() for corner in corners] == [background.name()] * 4
    edges = border_pixels(shot.image)
    assert CAGE_BACKGROUND not in edges, "part of the output shows cage's background, not the kiosk"
    # The language buttons are drawn where the kiosk says they are: names and frames, not a flat fill.
    buttons = {name: rect for name, rect in shot.ready.regions.items() if name.startswith("language:")}
    assert len(buttons) == 8
    for name in ("language:en", "language:ar"):
        assert distinct_colours(shot.image, buttons[name]) > 8, f"{name} is not drawn in its place"


def test_arabic_start_screen_is_mirrored(shots: dict[str, Shot]) -> None:
    english, arabic = shots["start:en"], shots["start:ar"]
    assert (english.ready.facts["direction"], arabic.ready.facts["direction"]) == ("ltr", "rtl")
    en_x = {name: rect[0] for name, rect in english.ready.regions.items() if name.startswith("language:")}
    ar_x = {name: rect[0] for name, rect in arabic.ready.regions.items() if name.startswith("language:")}
    assert en_x["language:en"] < en_x["language:tr"]
    assert ar_x["language:en"] > ar_x["language:tr"], "the first language sits on the right in Arabic"
    assert english.image != arabic.image


@pytest.mark.parametrize("step", STEPS)
def test_window_fits_the_output(shots: dict[str, Shot], output_size: tuple[int, int], step: str,
                                request: pytest.FixtureRequest) -> None:
    """Nothing is drawn beyond the output: the window is exactly the output (its minimum size is not more)."""
    assert shots[step].ready.facts["window"] == [0, 0, *output_size]


@pytest.mark.parametrize("step", [keyboard for _form, keyboard in KEYBOARD_STEPS])
def test_the_keyboard_shows_in_the_window_with_the_field_above_it(shots: dict[str, Shot],
                                                                  output_size: tuple[int, int], step: str) -> None:
    """On Wayland the keyboard is part of the kiosk's window: drawn on the output, the field in sight above it."""
    shot = shots[step]
    keyboard, field, viewport = (shot.ready.regions[name] for name in ("keyboard", "field", "viewport"))
    x, y, width, height = keyboard
    assert y + height <= output_size[1] and x >= 0 and x + width <= output_size[0]
    assert height >= 4 * 80, "four rows of keys, each a kiosk-sized target"
    assert distinct_colours(shot.image, keyboard) > 8, "the keys are drawn on the output"
    field_top, field_bottom = field[1], field[1] + field[3]
    assert viewport[1] <= field_top and field_bottom <= viewport[1] + viewport[3] <= y
    assert distinct_colours(shot.image, field) > 2, "the field is drawn, not covered"


def test_taps_reach_the_form_under_cage(shots: dict[str, Shot], output_size: tuple[int, int]) -> None:
    """Taps on the start screen's Arabic button and on "Ask for a consultation" work on Wayland."""
    form = shots["form:ar"]
    assert (form.ready.facts["current"], form.ready.facts["language"]) == ("form", "ar")
    top_bar = form.ready.regions["top_bar"]
    assert distinct_colours(form.image, top_bar) > 8
    assert CAGE_BACKGROUND not in border_pixels(form.image)


@pytest.mark.parametrize("output_size", [HEADLESS_SIZE], indirect=True, ids=size_id)
def test_headless_cage_runs_the_whole_journey_full_screen(cage_kiosk) -> None:
    """cage's own headless output, as in a server room: the kiosk is a Wayland client filling it, in both
    directions, and the keyboard opens above the field. (Judged by what the kiosk reports: grim cannot
    photograph this output, see CageKiosk.headless.)"""
    steps = ["start:en", "form:ar", "keyboard:full_name", "type:ليلى", "keyboard:phone", "type:+٩٠٥٣٢"]
    session = cage_kiosk(steps)
    reports = []
    for _ in steps:
        reports.append(session.wait_ready())
        session.next()
    assert session.driver.wait_exit() == 0, session.driver.log_tail()
    start, form, _name, typed_name, keyboard, typed_phone = reports
    for ready in reports:
        assert ready.facts["platform"] == "wayland" and ready.facts["screen"] == list(HEADLESS_SIZE)
        assert ready.facts["window"] == [0, 0, *HEADLESS_SIZE]
    assert start.facts["current"] == "attract" and len([name for name in start.regions if "language:" in name]) == 8
    assert (form.facts["current"], form.facts["direction"]) == ("form", "rtl")
    _x, y, _width, height = keyboard.regions["keyboard"]
    field_bottom = keyboard.regions["field"][1] + keyboard.regions["field"][3]
    assert y + height <= HEADLESS_SIZE[1] and field_bottom <= y
    # Typed on Wayland by tapping the keys: Arabic letters in the name, Eastern digits and "+" in the phone.
    assert (typed_name.facts["typed"], typed_phone.facts["typed"]) == ("ليلى", "+٩٠٥٣٢")


@pytest.mark.parametrize("output_size", [HEADLESS_SIZE], indirect=True, ids=size_id)
def test_a_broken_step_is_reported_and_the_session_cleaned_up(cage_kiosk) -> None:
    session = cage_kiosk(["start:en", "no-such-step"])
    with pytest.raises(CageError, match="unknown steps"):
        session.wait_ready()
    folder, process = session.folder, session.driver.process
    session.close()
    assert not folder.exists()
    assert process.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # nothing left of cage's process group (Xwayland included)


@pytest.mark.parametrize("output_size", [HEADLESS_SIZE], indirect=True, ids=size_id)
def test_a_session_left_waiting_is_stopped_and_removed(cage_kiosk) -> None:
    session = cage_kiosk(["start:en"])
    assert session.wait_ready().step == "start:en"  # the driver now waits for the test's answer
    folder, process = session.folder, session.driver.process
    session.close()
    assert not folder.exists()
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)


# --- X11 without a window manager ------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (scripts/setup installs it)")
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=size_id)
def test_full_screen_window_covers_a_bare_x_screen(size: tuple[int, int], tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "home").mkdir()
    log = folder / "session.log"
    env = {name: value for name, value in os.environ.items() if not name.startswith(("KIOSK_", "QT_"))}
    server, display = start_xvfb(size, env, log)
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", KIOSK_HOME=str(folder / "home"), KIOSK_SPEECH_ENGINE="mock",
               PYTHONPATH=str(REPO_ROOT))
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "tests.e2e.cage_driver", "start:en"], env=env,
                                   cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=out,
                                   start_new_session=True)
    driver = DriverProcess(process, log, [server])
    try:
        ready = driver.wait_ready(60)
        assert ready.facts["platform"] == "xcb"
        assert ready.facts["screen"] == list(size)
        assert ready.facts["window"] == [0, 0, *size]
        grabbed = folder / "screen.png"
        assert driver.say(f"grab {grabbed}") == f"GRABBED {grabbed}"
        image = QImage(str(grabbed))  # the X server's whole screen, not the window's own idea of itself
        assert (image.width(), image.height()) == size
        background = QColor(DEFAULT_PALETTE.background).name()
        for corner in [(0, 0), (size[0] - 1, 0), (0, size[1] - 1), (size[0] - 1, size[1] - 1)]:
            assert image.pixelColor(*corner).name() == background, corner
        driver.say("next")
        assert driver.wait_exit() == 0, driver.log_tail()
    finally:
        driver.stop()
