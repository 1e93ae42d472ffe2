"""No personal data in the logs, ever: canary values go through every path a request can take, errors
included, and then every file in the logs folder and everything written to stderr is searched for them.

The hospital's server here is a real HTTP server that, like a careless real one might, opens the envelope
and quotes the patient's details back in its error messages.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from kiosk import paths
from kiosk.logs import log_path, mask_personal_data, setup_logging, teardown_logging
from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.service import RequestService
from kiosk.outbox.store import Outbox
from kiosk.receiver.opening import open_sealed

NAME = "Zebulon Quaxworth"
PHONE_TYPED = "07400 918273"
PHONE = "+447400918273"
EMAIL = "zebulon.quax@canary-mail.example"
DESCRIPTION = "Xylophonic canary tremor since the lighthouse fell"
CANARIES = (NAME, "Zebulon", "Quaxworth", PHONE, "7400918273", "7400 918273", EMAIL, "zebulon.quax",
            DESCRIPTION, "Xylophonic", "lighthouse")
TOKEN = "canary-token-for-lobby-kiosk-0123456789"


class EchoingServer:
    """Answers each delivery with the next status of ``statuses`` and the patient's details in the text."""

    def __init__(self, private_key: str, statuses: list[int]) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                request = ConsultationRequest.from_json_bytes(
                    open_sealed(base64.b64decode(body["envelope"]), private_key))
                status = owner.statuses.pop(0) if len(owner.statuses) > 1 else owner.statuses[0]
                text = (f"rejected patient {request.full_name} <{request.email}> {request.phone}: "
                        f"{request.description}")
                payload = json.dumps({"error": text}).encode("utf-8")
                self.send_response(status, f"Bad patient {request.full_name}")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                owner.requests += 1

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.statuses = list(statuses)
        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/requests"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> EchoingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def kiosk_log(config) -> Iterator[Path]:
    handler = setup_logging(config)
    yield paths.logs_dir()
    teardown_logging(handler)


def form_values(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "full_name": NAME, "country": "GB", "phone": PHONE_TYPED, "email": EMAIL, "contact_language": "en",
        "channel": "email", "relation": "self", "age": "41", "description": DESCRIPTION, "consent": True,
    }
    values.update(changes)
    return values


def type_into(widget, text: str) -> None:
    widget.setFocus()
    for character in text:
        event = QInputMethodEvent("", [])
        event.setCommitString(character)
        QApplication.sendEvent(widget, event)


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


def submit_through_the_form(qtbot, kiosk, email: str) -> None:
    kiosk.navigator.home()
    tap(qtbot, kiosk.window.top_bar.consult_button)
    form = kiosk.form
    type_into(form.full_name, NAME)
    form.choose_country("GB")
    type_into(form.phone, "077")  # too short: a validation error quoting nothing
    type_into(form.email, email + "@@")  # malformed: another one
    form.phone.clear()
    form.email.clear()
    type_into(form.phone, PHONE_TYPED)
    type_into(form.email, email)
    tap(qtbot, form.channel.buttons["email"])
    tap(qtbot, form.relation.buttons["self"])
    type_into(form.age, "41")
    type_into(form.description, DESCRIPTION)
    tap(qtbot, form.consent)
    assert form.send_button.isEnabled(), form._errors
    tap(qtbot, form.send_button)
    assert kiosk.window.current_screen() == "done"


def find_canaries(text: str) -> list[str]:
    return [canary for canary in CANARIES if canary.lower() in text.lower()]


@pytest.mark.qt_no_exception_capture
def test_no_canary_reaches_the_logs_or_stderr(qtbot, make_kiosk, keys, kiosk_log, tmp_path, capfd):
    private, public = keys
    fast = {"delivery__hospital_public_key": public, "delivery__token": TOKEN, "delivery__kiosk_id": "lobby-1",
            "delivery__backoff_base_seconds": 0.1, "delivery__backoff_cap_seconds": 1.0,
            "delivery__connect_timeout_seconds": 2.0, "delivery__request_deadline_seconds": 3.0}
    with EchoingServer(private, [503, 500, 422]) as server:
        kiosk = make_kiosk(delivery__endpoint=server.url, **fast)
        submit_through_the_form(qtbot, kiosk, EMAIL)
        # 503 and 500 are retried; 422 parks the request for staff. Every answer quoted the patient.
        qtbot.waitUntil(lambda: kiosk.outbox.status().needs_attention == 1, timeout=20000)
        assert server.requests == 3
        assert NAME in kiosk.outbox.status().last_error, "the server really did quote the patient"

    # Nobody listening: connection refused, retried.
    offline = make_kiosk(delivery__endpoint=f"http://127.0.0.1:{unused_port()}/requests", **fast)
    result = offline.requests.submit(form_values(), ui_language="en")
    assert result.ok
    qtbot.waitUntil(lambda: bool(offline.outbox.get(result.queued.id).last_error), timeout=20000)

    # A full data disk at the moment of saving.
    full = Outbox(tmp_path / "full.sqlite3", public, max_bytes=4096 * 8)
    service = RequestService(full)
    refusals = [service.submit(form_values(description=DESCRIPTION * 10), ui_language="en") for _ in range(60)]
    full.close()
    assert any(not outcome.ok for outcome in refusals), "the small outbox must fill up"

    # Validation errors from the service itself.
    assert not RequestService(Outbox(tmp_path / "v.sqlite3", public)).submit(
        form_values(email=f"{NAME}@", phone="12"), ui_language="en").ok

    # A bug in a slot, with the patient's data in the exception and in a local variable.
    class Emitter(QObject):
        fired = Signal(str)

    def buggy_slot(value: str) -> None:
        patient_email = EMAIL  # noqa: F841 - a local a traceback with locals would show
        raise ValueError(f"cannot handle {value} {PHONE}")

    emitter = Emitter()
    emitter.fired.connect(buggy_slot)
    emitter.fired.emit(NAME)

    # A careless log call with the data in its arguments: the net catches the e-mail and phone.
    logging.getLogger("kiosk.test").warning("contact %s on %s", EMAIL, PHONE)

    for handler in logging.getLogger().handlers:
        handler.flush()
    files = sorted(path for path in kiosk_log.rglob("*") if path.is_file())
    assert log_path() in files
    logged = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in files)
    captured = capfd.readouterr()
    # The paths above really were logged (so finding nothing below means something).
    assert "needs attention" in logged
    assert "could not store a consultation request" in logged
    assert "uncaught exception" in logged and "ValueError" in logged and "buggy_slot" in logged
    assert "contact [removed] on [removed]" in logged
    assert find_canaries(logged) == [], logged
    assert find_canaries(captured.err) == [], captured.err
    assert find_canaries(captured.out) == [], captured.out


@pytest.mark.parametrize("text", [EMAIL, PHONE, "+90 532 123 45 67", "(0532) 123-4567", "a.b+c@d.co.uk"])
def test_the_net_masks_contact_details(text):
    assert mask_personal_data(f"x {text} y") == "x [removed] y"


@pytest.mark.parametrize("text", ["request ABCD-EFGH", "HTTP 503", "retry in 12.5 s", "version 3-0a1b2c3d4e5f",
                                  "forgot 12 delivered requests"])
def test_the_net_leaves_ordinary_messages_alone(text):
    assert mask_personal_data(text) == text


def test_log_files_rotate_at_the_configured_size(config):
    handler = setup_logging(config.with_overrides(logs__max_kb=16, logs__keep=2))
    try:
        log = logging.getLogger("kiosk.rotation")
        for number in range(2000):
            log.info("line %d of filler text to make the file grow past its limit", number)
    finally:
        teardown_logging(handler)
    names = sorted(path.name for path in paths.logs_dir().iterdir())
    assert names == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]
    assert all(path.stat().st_size <= 16 * 1024 for path in paths.logs_dir().iterdir())
