"""The assistive-technology side: an AT-SPI client (pyatspi, Debian's system Python) that reads and operates
the kiosk as a screen reader or a switch would. Runs as its own process with /usr/bin/python3:

    /usr/bin/python3 tests/a11y/atspi_client.py PID

It answers one JSON line on stdout for each JSON line on stdin:

    {"cmd": "tree"}                          -> {"nodes": [node, ...]}  (showing nodes of the kiosk, depth first)
    {"cmd": "act", "path": [...], "action": "Press"}   -> {"done": true}  (the named action, or the first)
    {"cmd": "grab_focus", "path": [...]}     -> {"done": true}
    {"cmd": "events"}                        -> {"events": [...]}  (announcements and focus events since last)

A node: {"path": [child indices from the application], "role": "push button", "name": ..., "description": ...,
"states": [...], "actions": [...], "extents": [x, y, w, h] (screen), "locale": ...}. No kiosk code is imported
here: this process sees only what the accessibility bus shows.
"""

from __future__ import annotations

import json
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

MAX_NODES = 5000
_events: list[dict] = []


def _on_event(event) -> None:
    try:
        source = event.source
        _events.append({"type": event.type, "detail1": event.detail1, "text": _event_text(event),
                        "role": source.get_role_name() if source else "", "name": source.get_name() if source else ""})
    except GLib.Error:
        pass


def _event_text(event) -> str:
    value = getattr(event, "any_data", None)
    return value if isinstance(value, str) else ""


def find_application(pid: int, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desktop = Atspi.get_desktop(0)
        for index in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(index)
            try:
                if app is not None and app.get_process_id() == pid:
                    return app
            except GLib.Error:
                continue
        _pump(0.2)
    raise SystemExit(f"no application with pid {pid} on the accessibility bus")


def _pump(seconds: float) -> None:
    context = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        while context.pending():
            context.iteration(False)
        time.sleep(0.02)


def _states(accessible) -> list[str]:
    state_set = accessible.get_state_set()
    return sorted(Atspi.StateType(value).value_nick for value in range(Atspi.StateType.LAST_DEFINED)
                  if state_set.contains(Atspi.StateType(value)))


def _actions(accessible) -> list[str]:
    action = accessible.get_action_iface()
    if action is None:
        return []
    return [action.get_action_name(index) for index in range(action.get_n_actions())]


def _extents(accessible) -> list[int]:
    component = accessible.get_component_iface()
    if component is None:
        return [0, 0, 0, 0]
    box = component.get_extents(Atspi.CoordType.SCREEN)
    return [box.x, box.y, box.width, box.height]


def _node(accessible, path: list[int]) -> dict:
    text = accessible.get_text_iface()
    hypertext = accessible.get_hypertext_iface()
    return {
        "path": path, "role": accessible.get_role_name(), "name": accessible.get_name() or "",
        "description": accessible.get_description() or "", "states": _states(accessible),
        "actions": _actions(accessible), "extents": _extents(accessible),
        "locale": accessible.get_object_locale() or "",
        "text": text.get_text(0, min(text.get_character_count(), 2000)) if text is not None else None,
        "links": hypertext.get_n_links() if hypertext is not None else None,
        "labelled_by": _labelled_by(accessible),
    }


def _labelled_by(accessible) -> list[str]:
    names = []
    for relation in accessible.get_relation_set() or []:
        if relation.get_relation_type() == Atspi.RelationType.LABELLED_BY:
            names += [relation.get_target(index).get_name() for index in range(relation.get_n_targets())]
    return names


def tree(app) -> list[dict]:
    nodes: list[dict] = []
    stack = [(app, [])]
    while stack and len(nodes) < MAX_NODES:
        accessible, path = stack.pop()
        try:
            # Hidden screens and widgets are not what a visitor meets; nor are they asked anything else (the
            # client library keeps an object's locale once asked, and a hidden screen is in another language).
            if path and not accessible.get_state_set().contains(Atspi.StateType.SHOWING):
                continue
            node = _node(accessible, path)
        except GLib.Error:
            continue
        nodes.append(node)
        count = accessible.get_child_count()
        children = []
        for index in range(count):
            child = accessible.get_child_at_index(index)
            if child is not None:
                children.append((child, [*path, index]))
        stack.extend(reversed(children))
    return nodes


def resolve(app, path: list[int]):
    accessible = app
    for index in path:
        accessible = accessible.get_child_at_index(index)
        if accessible is None:
            raise LookupError(f"no child at {path}")
    return accessible


def act(app, path: list[int], name: str | None) -> dict:
    accessible = resolve(app, path)
    action = accessible.get_action_iface()
    if action is None:
        return {"error": "no action interface"}
    names = [action.get_action_name(index) for index in range(action.get_n_actions())]
    index = names.index(name) if name else 0
    return {"done": bool(action.do_action(index)), "action": names[index]}


def main() -> int:
    pid = int(sys.argv[1])
    listener = Atspi.EventListener.new(_on_event)
    for event_type in ("object:announcement", "object:state-changed:focused"):
        listener.register(event_type)
    app = find_application(pid)
    print(json.dumps({"ready": True, "name": app.get_name()}), flush=True)
    for line in sys.stdin:
        _pump(0.05)
        request = json.loads(line)
        try:
            if request["cmd"] == "tree":
                answer = {"nodes": tree(app)}
            elif request["cmd"] == "act":
                answer = act(app, request["path"], request.get("action"))
            elif request["cmd"] == "grab_focus":
                answer = {"done": bool(resolve(app, request["path"]).get_component_iface().grab_focus())}
            elif request["cmd"] == "events":
                _pump(0.3)
                answer = {"events": list(_events)}
                _events.clear()
            else:
                answer = {"error": f"unknown command {request['cmd']!r}"}
        except (GLib.Error, LookupError, ValueError) as error:
            answer = {"error": str(error)}
        print(json.dumps(answer, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
