"""The Qt-facing Sender and its worker: background delivery, signals, waking, stopping, idling."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QNetworkInformation

from kiosk.outbox.delivery import DeliverySettings
from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.sender import Sender
from kiosk.outbox.store import DELIVERED, QUEUED, Outbox, OutboxStatus
from kiosk.receiver.server import ReceiverHTTPServer
from tests.faults.faultproxy import RESET, STALL, Fault, FaultProxy, respond, wait_until

TOKEN = "sender-test-token-0123456789abcdef"


def make_request(index: int = 0) -> ConsultationRequest:
    return ConsultationRequest(
        full_name=f"Patient {index}", country="FR", phone="+33612345678", email="", contact_language="fr",
        channel="phone", relation="self", age=30, description="", consent=True,
        privacy_notice_version="2026-11", ui_language="fr",
    )




@pytest.fixture
def receiver(tmp_path: Path, keys: tuple[str, str]) -> Iterator[ReceiverHTTPServer]:
    server = ReceiverHTTPServer.local(tmp_path / "receiver.db", keys[0], [TOKEN]).start_in_thread()
    yield server
    server.close()


@pytest.fixture
def senders() -> Iterator[list[Sender]]:
    made: list[Sender] = []
    yield made
    for sender in made:
        assert sender.stop(5)


def settings_for(url: str, **overrides: object) -> DeliverySettings:
    values: dict[str, object] = {"endpoint": url, "kiosk_id": "lobby", "token": TOKEN, "connect_timeout": 2.0,
                                 "deadline": 2.0, "backoff_base": 0.05, "backoff_cap": 0.2}
    values.update(overrides)
    return DeliverySettings(**values)  # type: ignore[arg-type]


def test_wake_after_enqueue_delivers_in_the_background(qtbot, outbox: Outbox, receiver: ReceiverHTTPServer,
                                                       senders: list[Sender]) -> None:
    sender = Sender(outbox, settings_for(receiver.url), watch_network=False)
    senders.append(sender)
    statuses: list[OutboxStatus] = []
    sender.statusChanged.connect(statuses.append)
    sender.start()
    queued = outbox.enqueue(make_request())
    with qtbot.waitSignal(sender.delivered, timeout=5000) as blocker:
        sender.wake()
    assert blocker.args == [queued.id]
    qtbot.waitUntil(lambda: any(status.delivered == 1 and status.queued == 0 for status in statuses),
                    timeout=5000)
    assert receiver.ingestor.store.count() == 1
    record = outbox.get(queued.id)
    assert record is not None and record.state == DELIVERED


def test_requests_left_from_before_a_restart_are_delivered_without_a_wake(
    qtbot, outbox: Outbox, receiver: ReceiverHTTPServer, senders: list[Sender]
) -> None:
    queued = [outbox.enqueue(make_request(index)) for index in range(5)]
    outbox.claim(queued[0].id)  # as if the previous run died mid-send
    sender = Sender(outbox, settings_for(receiver.url), watch_network=False)
    senders.append(sender)
    sender.start()
    qtbot.waitUntil(lambda: outbox.status().delivered == 5, timeout=5000)
    assert receiver.ingestor.store.count() == 5


def test_server_errors_are_retried_until_delivered(
    qtbot, outbox: Outbox, receiver: ReceiverHTTPServer, senders: list[Sender]
) -> None:
    with FaultProxy(receiver.port) as proxy:
        proxy.script(respond(500), Fault(RESET), respond(503, Retry_After="0"))
        sender = Sender(outbox, settings_for(proxy.url(receiver.path)), watch_network=False)
        senders.append(sender)
        sender.start()
        queued = outbox.enqueue(make_request())
        sender.wake()
        qtbot.waitUntil(lambda: outbox.status().delivered == 1, timeout=10_000)
        assert proxy.faults_used[:4] == ["respond", "reset", "respond", "pass"]
    record = outbox.get(queued.id)
    assert record is not None and record.attempts == 4
    assert receiver.ingestor.store.count() == 1


def test_a_network_change_retries_now_instead_of_after_the_backoff(
    qtbot, outbox: Outbox, receiver: ReceiverHTTPServer, senders: list[Sender]
) -> None:
    with FaultProxy(receiver.port) as proxy:
        proxy.script(Fault(RESET))
        settings = settings_for(proxy.url(receiver.path), backoff_base=600.0, backoff_cap=900.0)
        sender = Sender(outbox, settings, watch_network=False)
        senders.append(sender)
        sender.start()
        queued = outbox.enqueue(make_request())
        sender.wake()
        qtbot.waitUntil(lambda: outbox.get(queued.id).last_error is not None, timeout=5000)  # type: ignore[union-attr]
        record = outbox.get(queued.id)
        assert record is not None and record.state == QUEUED and record.next_attempt_at > time.time()
        sender._on_reachability_changed(QNetworkInformation.Reachability.Online)
        qtbot.waitUntil(lambda: outbox.status().delivered == 1, timeout=5000)


def test_without_an_endpoint_requests_wait_safely_and_status_is_reported(
    qtbot, outbox: Outbox, senders: list[Sender]
) -> None:
    sender = Sender(outbox, DeliverySettings(), watch_network=False)
    senders.append(sender)
    outbox.enqueue(make_request())
    with qtbot.waitSignal(sender.statusChanged, timeout=5000) as blocker:
        sender.start()
    assert blocker.args[0].queued == 1
    sender.wake()
    time.sleep(0.2)
    assert outbox.status().queued == 1
    assert sender.status().queued == 1


def test_stop_interrupts_a_stalled_send_and_keeps_the_request(
    qtbot, outbox: Outbox, senders: list[Sender]
) -> None:
    with FaultProxy() as proxy:
        proxy.script(Fault(STALL))
        sender = Sender(outbox, settings_for(proxy.url(), deadline=30.0), watch_network=False)
        sender.start()
        queued = outbox.enqueue(make_request())
        sender.wake()
        assert wait_until(lambda: proxy.requests, timeout=5)
        started = time.monotonic()
        assert sender.stop(5)
        assert time.monotonic() - started < 2
    record = outbox.get(queued.id)
    assert record is not None and record.state == QUEUED and record.has_envelope


@pytest.mark.slow
def test_an_idle_sender_uses_no_cpu(qtbot, outbox: Outbox, receiver: ReceiverHTTPServer,
                                    senders: list[Sender]) -> None:
    sender = Sender(outbox, settings_for(receiver.url), watch_network=True)
    senders.append(sender)
    sender.start()
    time.sleep(0.2)
    cpu_before, wall_before = time.process_time(), time.monotonic()
    time.sleep(1.5)
    cpu = time.process_time() - cpu_before
    wall = time.monotonic() - wall_before
    assert sender.running
    assert cpu / wall < 0.02, f"idle sender used {cpu:.3f} s CPU in {wall:.1f} s"


_MANY_EMITS = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
from kiosk.outbox.refcount_guard import guard_bool_refcounts
app = QCoreApplication([])
print("guarded" if guard_bool_refcounts() else "not needed", flush=True)
class Busy(QObject):
    ping = Signal(str)
busy = Busy()
for index in range(20_000):
    busy.ping.emit("x")
print("survived", flush=True)
"""


@pytest.mark.slow
def test_a_long_running_process_survives_many_signal_emits(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", _MANY_EMITS], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(repo), "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout
