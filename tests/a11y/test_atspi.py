"""The kiosk as a screen reader or a switch meets it: through AT-SPI (pyatspi), on a private D-Bus, under Xvfb.

A visit is walked in English and in Arabic by AT-SPI actions alone (a language on the start screen, a topic,
Next, High contrast, the consultation form and its choices, the language picker), plus the confirmation and
the idle countdown as the kiosk reaches them itself. Every screen's tree is dumped and judged: roles, names
in the visit's language containing the visible labels, actions, states; and from the X server's pixels, the
focus ring around every control and the contrast of every text and icon, in both themes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

from tests.a11y.pixels import focus_change, text_contrast
from tests.a11y.session import A11ySession, SessionError, missing_packages

pytestmark = pytest.mark.slow

# Both languages on a landscape screen, and the right-to-left one on a portrait screen too.
VISITS = [("en", (1920, 1080)), ("ar", (1920, 1080)), ("ar", (1080, 1920))]
NATIVE = {"en": "English", "ar": "العربية"}
INTERACTIVE = {"push button", "radio button", "check box", "toggle button", "text", "entry", "combo box",
               "password text", "link"}
ARABIC = re.compile(r"[\u0600-\u06FF]")
# Names that are the same in every language: the languages' own names, a brand, a code.
SAME_IN_EVERY_LANGUAGE = {"English", "Türkçe", "العربية", "فارسی", "Русский", "Deutsch", "Français", "Українська",
                          "WhatsApp", "K7MP-Q2XW"}
MIN_TARGET = 80
CONTAINERS = {"application", "filler", "panel", "layered pane", "scroll pane", "frame", "window"}
TEXT_AA, TEXT_AAA = 4.5, 7.0


@pytest.fixture(scope="session")
def a11y_available() -> None:
    missing = missing_packages()
    if missing:
        message = f"not installed: {', '.join(missing)} (scripts/setup --dev installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a missing package is a broken setup, not a reason to skip
        pytest.skip(message)


@dataclass
class Screen:
    name: str
    nodes: list[dict]
    image: QImage
    theme: str = "normal"
    focus: dict[str, tuple[int, int]] = field(default_factory=dict)  # control -> (changed, perimeter)


@dataclass
class Visit:
    language: str
    size: tuple[int, int]
    screens: dict[str, Screen] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    announcements: list[dict] = field(default_factory=list)
    states: dict[str, dict] = field(default_factory=dict)


def find(nodes: list[dict], role: str | None = None, name: str | None = None, contains: str | None = None) -> dict:
    for node in nodes:
        if role is not None and node["role"] != role:
            continue
        if name is not None and node["name"] != name:
            continue
        if contains is not None and contains not in node["name"]:
            continue
        return node
    raise AssertionError(f"no {role or 'node'} named {name or contains!r} in {[n['name'] for n in nodes][:80]}")


def box(node: dict, window: list[int]) -> QRect:
    x, y, width, height = node["extents"]
    return QRect(x - window[0], y - window[1], width, height)


class Walker:
    def __init__(self, session: A11ySession, visit: Visit, folder: Path) -> None:
        self.session, self.visit, self.folder = session, visit, folder
        self.window = session.kiosk_says("state")["window"]

    def grab(self, label: str) -> QImage:
        path = self.folder / f"{self.visit.language}-{label}.png"
        assert self.session.kiosk_says("grab", path=str(path))["saved"]
        return QImage(str(path))

    def act(self, node: dict, action: str | None = None) -> None:
        answer = self.session.client_says("act", path=node["path"], action=action)
        assert answer["done"], node
        self.visit.actions.append(f"{answer['action']} {node['role']} {node['name']!r}")

    def record(self, name: str, theme: str = "normal", focus: bool = True) -> Screen:
        self.session.client_says("events")  # what happened before this screen is not this screen's
        nodes = self.session.tree()
        screen = Screen(name, nodes, self.grab(f"{name}-{theme}"), theme)
        if focus:
            self._check_focus(screen)
        self.visit.screens[f"{name}:{theme}"] = screen
        assert self.session.kiosk_says("state")["window"][2:] == list(self.visit.size), "not full screen"
        self.visit.labels += [dict(entry, screen=name) for entry in self.session.kiosk_says("buttons")["buttons"]]
        self.visit.states[name] = self.session.kiosk_says("state")
        return screen

    def _check_focus(self, screen: Screen) -> None:
        """Each control that takes the focus is focused through AT-SPI and photographed, then photographed
        again at the same place with no focus anywhere (nothing scrolls in between)."""
        focusable = [node for node in screen.nodes if "focusable" in node["states"] and "enabled" in node["states"]
                     and node["extents"][2] > 0 and node["role"] not in CONTAINERS]
        for node in focusable:
            label = f"{node['role']} {node['name']!r}"
            if "SetFocus" in node["actions"]:
                self.session.client_says("act", path=node["path"], action="SetFocus")
            elif not self.session.client_says("grab_focus", path=node["path"])["done"]:
                # Qt's combo box offers no focus action on the bus; the keyboard still reaches it (Tab),
                # and its ring is judged all the same.
                if node["role"] != "combo box":
                    screen.focus[label] = (0, -1)
                    continue
                self.session.kiosk_says("focus_combo")
            # A combo box is named by its current item on the bus; the kiosk knows it by its label.
            state = self.session.wait_for(lambda state, node=node: state["focus"] == node["name"] or (
                node["role"] == "combo box" and state["focus_class"] == "QComboBox"), f"focus on {label}", 5)
            focused = self.grab("focus")
            self.session.kiosk_says("unfocus")
            unfocused = self.grab("unfocused")
            screen.focus[label] = focus_change(unfocused, focused, QRect(*state["focus_rect"]))


def walk(session: A11ySession, language: str, size: tuple[int, int], folder: Path) -> Visit:
    visit = Visit(language, size)
    walker = Walker(session, visit, folder)
    attract = walker.record("attract")
    walker.act(find(attract.nodes, "push button", NATIVE[language]), "Press")
    session.wait_for(lambda s: s["screen"] == "home" and s["language"] == language, "the home screen")
    home = walker.record("home")
    tiles = [node for node in home.nodes if node["role"] == "push button" and node["extents"][3] > 200]
    walker.act(tiles[1], "Press")
    session.wait_for(lambda s: s["screen"] == "reader", "the reader")
    reader = walker.record("reader")
    section = session.kiosk_says("state")["section"]
    next_button = find(reader.nodes, "push button", contains=_next_name(language))
    walker.act(next_button, "Press")
    session.wait_for(lambda s: s["section"] != section, "the next topic")
    reader = walker.record("reader-next", focus=False)
    contrast_button = find(reader.nodes, "push button", contains=_contrast_name(language))
    walker.act(contrast_button, "Press")
    session.wait_for(lambda s: s["high_contrast"], "high contrast")
    walker.record("reader", theme="high", focus=True)
    walker.act(find(session.tree(), "push button", _names(language)["Home"]), "Press")
    session.wait_for(lambda s: s["screen"] == "home", "the topics, in high contrast")
    high = walker.record("home", theme="high", focus=True).nodes
    walker.act(find(high, "push button", contains=_contrast_name(language)), "Press")
    session.wait_for(lambda s: not s["high_contrast"], "the normal theme again")
    walker.act(find(session.tree(), "push button", contains=_consult_name(language)), "Press")
    session.wait_for(lambda s: s["screen"] == "form", "the form")
    form = walker.record("form")
    radios = [node for node in form.nodes if node["role"] == "radio button"]
    walker.act(radios[1], radios[1]["actions"][0])  # the default action, as a screen reader's Enter
    session.wait_for(lambda s: s["channel"] == "whatsapp", "WhatsApp chosen")
    walker.record("form-chosen", focus=False)
    walker.act(find(session.tree(), "push button", contains=NATIVE[language]), "Press")
    session.wait_for(lambda s: s["screen"] == "languages", "the language picker")
    languages = walker.record("languages")
    walker.act(find(languages.nodes, "push button", NATIVE[language]), "Press")
    session.wait_for(lambda s: s["screen"] == "form", "back to the form")
    session.kiosk_says("done")
    session.wait_for(lambda s: s["screen"] == "done", "the confirmation")
    visit.announcements += session.client_says("events")["events"]
    walker.record("done")
    session.kiosk_says("idle")
    session.wait_for(lambda s: s["idle"], "the countdown")
    visit.announcements += session.client_says("events")["events"]
    idle = walker.record("idle", focus=False)
    stay = next(node for node in idle.nodes if "focused" in node["states"])
    walker.act(stay, "Press")
    session.wait_for(lambda s: not s["idle"], "the countdown answered")
    return visit


def _names(language: str) -> dict[str, str]:
    from kiosk.i18n import catalogs

    catalog = catalogs.load_catalog(language)
    return {msgid: catalog.gettext(msgid) for msgid in ("Next topic", "Ask for a consultation", "Home")} | {
        "contrast": catalog.gettext("High contrast: off").split(":")[0]}


def _next_name(language: str) -> str:
    return _names(language)["Next topic"]


def _contrast_name(language: str) -> str:
    return _names(language)["contrast"]


def _consult_name(language: str) -> str:
    return _names(language)["Ask for a consultation"]


@pytest.fixture(scope="module", params=VISITS, ids=[f"{language}-{w}x{h}" for language, (w, h) in VISITS])
def visit(request, a11y_available, tmp_path_factory) -> Iterator[Visit]:
    from kiosk.outbox.sealing import generate_keypair

    language, size = request.param
    folder = tmp_path_factory.mktemp(f"a11y-{language}-{size[0]}x{size[1]}")
    session = A11ySession(size, folder)
    try:
        session.start({"KIOSK_DELIVERY_HOSPITAL_PUBLIC_KEY": generate_keypair()[1]})
        visit = walk(session, language, size, folder)
    except SessionError as error:
        pytest.fail(f"{error}\n{session.log_tail()}")
    finally:
        session.close()
    (folder / "visit.json").write_text(json.dumps(
        {name: screen.nodes for name, screen in visit.screens.items()}, ensure_ascii=False, indent=1))
    numbers = figures(visit)
    (folder / "figures.json").write_text(json.dumps(numbers, ensure_ascii=False, indent=1))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"\nAT-SPI figures ({language}, {size[0]}x{size[1]}): "
                            f"{json.dumps(numbers, ensure_ascii=False)}")
    yield visit


def figures(visit: Visit) -> dict:
    """What was checked and the extremes measured, for the record."""
    window = [0, 0, *visit.size]
    contrasts: dict[str, float] = {}
    for screen in visit.screens.values():
        if screen.name == "idle":
            continue
        for node in screen.nodes:
            if node["role"] in ("push button", "radio button", "label", "check box") and node["name"] and \
                    "enabled" in node["states"] and in_view(node, screen.nodes):
                ratio = text_contrast(screen.image, box(node, window))
                if ratio is not None:
                    contrasts[screen.theme] = min(contrasts.get(screen.theme, 99.0), ratio)
    focus = [changed / perimeter for screen in visit.screens.values()
             for changed, perimeter in screen.focus.values() if perimeter > 0]
    targets = [min(node["extents"][2:]) for screen in visit.screens.values() for node in interactive(screen)
               if node["role"] not in ("text", "link", "check box", "label")]
    return {
        "controls per screen": {name: len(interactive(screen)) for name, screen in visit.screens.items()},
        "actions activated": len(visit.actions),
        "focus rings checked": len(focus),
        "smallest focus change (3:1 pixels / perimeter)": round(min(focus), 2) if focus else None,
        "lowest text/icon contrast": {theme: round(value, 2) for theme, value in contrasts.items()},
        "smallest target side px": min(targets) if targets else None,
        "announcements": [event["text"] for event in visit.announcements if event["type"] == "object:announcement"],
    }


def in_view(node: dict, nodes: list[dict]) -> bool:
    """Whether the node lies inside every container around it (a page scrolled under the bar does not)."""
    own = QRect(*node["extents"])
    for other in nodes:
        path = other["path"]
        inside = len(path) < len(node["path"]) and node["path"][: len(path)] == path and other["extents"][2] > 0
        if inside and not QRect(*other["extents"]).contains(own):
            return False
    return True


def interactive(screen: Screen) -> list[dict]:
    return [node for node in screen.nodes if node["role"] in INTERACTIVE and node["extents"][2] > 0]


def test_every_control_has_a_role_a_name_in_the_visits_language_and_an_action(visit):
    problems = []
    for name, screen in visit.screens.items():
        controls = interactive(screen)
        assert controls, name
        for node in controls:
            where = f"{name}: {node['role']} {node['name']!r} {node['description']!r}"
            if not node["name"].strip():
                problems.append(f"{where} has no name")
            if node["role"] == "combo box" and not node["labelled_by"]:
                problems.append(f"{where} has no label (Qt names a combo box by its current item)")
            if not node["actions"] and "enabled" in node["states"]:
                problems.append(f"{where} has no action")
            shown_in = visit.states[name.split(":")[0]]["language"]  # the start screen is in the default language
            if shown_in == "ar" and node["name"] not in SAME_IN_EVERY_LANGUAGE and not ARABIC.search(node["name"]):
                problems.append(f"{where} is not named in Arabic")
            if "\u2066" in node["name"] or "\u2069" in node["name"]:
                problems.append(f"{where} has isolate marks")
        # No check boxes or toggles that are really one-of-several choices or commands: only the consent.
        toggles = [node["name"] for node in controls if node["role"] in ("check box", "toggle button")]
        if len(toggles) > (1 if name.startswith("form") else 0):
            problems.append(f"{name}: check boxes or toggles {toggles}")
    assert not problems, "\n".join(problems)


@pytest.mark.xfail(reason="Qt 6.11's AT-SPI bridge gives every object the system locale, not the language "
                          "the interface is in; nothing in Qt's widget API sets it per object", strict=True)
def test_every_name_says_its_language(visit):
    if visit.language == "en":
        pytest.xfail("the system locale is English here: no evidence either way")
    wrong = {node["locale"] for screen in list(visit.screens.values())[1:] for node in interactive(screen)
             if not node["locale"].startswith(visit.language)}
    assert not wrong, wrong


def test_one_of_several_choices_are_radio_buttons_and_the_action_chooses(visit):
    form = visit.screens["form:normal"]
    radios = [node for node in form.nodes if node["role"] == "radio button"]
    assert len(radios) == 5  # phone, WhatsApp, e-mail; me, a family member
    chosen = [node for node in visit.screens["form-chosen:normal"].nodes
              if node["role"] == "radio button" and "checked" in node["states"]]
    assert [node["name"] for node in chosen] == ["WhatsApp"]


def test_default_actions_do_what_a_tap_does(visit):
    for node in (node for screen in visit.screens.values() for node in interactive(screen)):
        if node["role"] == "push button" and "enabled" in node["states"]:
            assert node["actions"][0] == "Press", node  # never a bare Toggle that skips the button's work
    high = visit.screens["reader:high"]
    assert visit.states["reader"]["high_contrast"] is True
    name = _contrast_name(visit.language)
    on = [node for node in high.nodes if node["role"] == "push button" and name in node["name"]]
    assert on and on[0]["name"] != find(visit.screens["reader:normal"].nodes, "push button",
                                        contains=_contrast_name(visit.language))["name"]
    assert len(visit.actions) >= 9, visit.actions


def test_names_contain_the_visible_labels(visit):
    problems = []
    for entry in visit.labels:
        shown = re.sub(r"[\u2066-\u2069←→]", "", entry["text"]).strip()
        if shown.casefold() not in entry["name"].casefold():
            problems.append(f"{entry['screen']}: {entry['class']}#{entry['object']} shows {shown!r}, named "
                            f"{entry['name']!r}")
    assert not problems, "\n".join(sorted(set(problems)))


def test_reader_text_and_links_are_reachable(visit):
    reader = visit.screens["reader:normal"]
    texts = [node for node in reader.nodes if node["text"] and len(node["text"]) > 200]
    assert texts, "the page text is not exposed as text"
    page = texts[0]
    assert "focusable" in page["states"], page["role"]
    assert any(key.startswith(page["role"]) for key in reader.focus), reader.focus.keys()


def test_after_send_the_confirmation_has_the_focus(visit):
    done = visit.screens["done:normal"]
    focused = [node for node in done.nodes if "focused" in node["states"]]
    assert focused and "K7MP-Q2XW" in focused[0]["name"], focused


def test_the_confirmation_and_the_countdown_are_announced(visit):
    said = " ".join(event["text"] for event in visit.announcements if event["type"] == "object:announcement")
    assert "K7MP-Q2XW" in said
    from kiosk.i18n import catalogs

    assert catalogs.load_catalog(visit.language).gettext("Are you still there?") in said


def test_the_countdown_is_an_alert_with_the_focus_on_its_button(visit):
    idle = visit.screens["idle:normal"]
    alerts = [node for node in idle.nodes if node["role"] == "alert"]
    assert alerts, [node["role"] for node in idle.nodes]
    focused = [node for node in idle.nodes if "focused" in node["states"]]
    assert focused and focused[0]["role"] == "push button"
    behind = [node for node in idle.nodes if node["role"] in INTERACTIVE and "enabled" in node["states"]
              and node is not focused[0]]
    assert not behind, [node["name"] for node in behind]


def test_focus_is_visible_on_every_control(visit):
    checked, problems = 0, []
    for name, screen in visit.screens.items():
        for control, (changed, perimeter) in screen.focus.items():
            checked += 1
            if perimeter < 0:
                problems.append(f"{name}: {control} refused the focus through AT-SPI")
            elif changed < perimeter:
                problems.append(f"{name}: {control} focus changes {changed} px by 3:1, needs {perimeter}")
    assert not problems, "\n".join(problems)
    assert checked >= 40


def test_text_and_icons_have_enough_contrast(visit):
    window = [0, 0, *visit.size]
    problems = []
    for name, screen in visit.screens.items():
        if name.startswith("idle"):
            continue  # the screen behind the countdown is dimmed on purpose
        needed = TEXT_AAA if screen.theme == "high" else TEXT_AA
        for node in screen.nodes:
            if node["role"] not in ("push button", "radio button", "label", "check box") or not node["name"]:
                continue
            if not in_view(node, screen.nodes):
                continue  # scrolled out of its page: what is drawn there is something else
            if "enabled" not in node["states"] or node["extents"][2] < 4:
                continue
            ratio = text_contrast(screen.image, box(node, window))
            if ratio is not None and ratio < needed:
                problems.append(f"{name}: {node['role']} {node['name']!r} {ratio:.2f}:1 < {needed}")
    assert not problems, "\n".join(problems)


def test_every_target_is_large_enough(visit):
    problems = []
    for name, screen in visit.screens.items():
        for node in interactive(screen):
            if node["role"] in ("text", "link"):
                continue  # the page text is a reading area, not a target
            width, height = node["extents"][2:]
            if node["role"] == "check box":
                # Qt reports a check box by its box alone; the touch target is the whole row around it, a
                # button of the same name (ConsentRow).
                row = find(screen.nodes, "push button", node["name"])
                width, height = row["extents"][2:]
            if width < MIN_TARGET or height < MIN_TARGET:
                problems.append(f"{name}: {node['role']} {node['name']!r} {width}x{height}")
    assert not problems, "\n".join(sorted(set(problems)))
