"""Delivery through real faults: a receiver process that is down, failing, slow, or loses answers.

The kiosk side runs in-process (the real ``DeliveryWorker`` and ``Outbox``); the receiver is a separate
``python -m kiosk receiver serve`` process, reached directly or through the fault-injecting proxy.
Every scenario ends the same way: the receiver holds each request exactly once, and the kiosk agrees.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.outbox.delivery import DeliverySettings
from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.store import DELIVERED, NEEDS_ATTENTION, Outbox, QueuedRequest
from kiosk.outbox.worker import DeliveryWorker
from tests.faults.conftest import TOKEN, ReceiverProcess
from tests.faults.faultproxy import DROP_RESPONSE, RESET, STALL, Fault, FaultProxy, respond, wait_until


def make_request(index: int) -> ConsultationRequest:
    return ConsultationRequest(
        full_name=f"Patient {index:04d}", country="TR", phone="+905321234567", email="",
        contact_language="tr", channel="phone", relation="self", age=40, description="", consent=True,
        privacy_notice_version="2026-11", ui_language="tr",
    )


def settings_for(url: str, **overrides: object) -> DeliverySettings:
    values: dict[str, object] = {"endpoint": url, "kiosk_id": "lobby-faults", "token": TOKEN,
                                 "connect_timeout": 1.0, "deadline": 1.0, "backoff_base": 0.05,
                                 "backoff_cap": 0.3}
    values.update(overrides)
    return DeliverySettings(**values)  # type: ignore[arg-type]



@pytest.fixture
def workers() -> Iterator[list[DeliveryWorker]]:
    started: list[DeliveryWorker] = []
    yield started
    for worker in started:
        assert worker.stop(5)


def start_worker(outbox: Outbox, settings: DeliverySettings, workers: list[DeliveryWorker]) -> DeliveryWorker:
    worker = DeliveryWorker(outbox, settings)
    workers.append(worker)
    worker.start()
    return worker


def assert_exactly_once(receiver: ReceiverProcess, outbox: Outbox, queued: list[QueuedRequest]) -> None:
    stored = receiver.stored()
    ids = Counter(row[0] for row in stored)
    names = Counter(row[1] for row in stored)
    assert set(ids) == {item.id for item in queued}
    assert max(ids.values()) == 1 and max(names.values()) == 1
    receipts = {row[0]: row[2] for row in stored}
    for item in queued:
        record = outbox.get(item.id)
        assert record is not None and record.state == DELIVERED
        assert record.receipt == receipts[item.id], "the kiosk holds the receipt the hospital issued"
    assert outbox.status().undelivered == 0


@pytest.mark.slow
def test_receiver_down_while_50_requests_queue_then_up(
    receiver_process: ReceiverProcess, outbox: Outbox, workers: list[DeliveryWorker]
) -> None:
    worker = start_worker(outbox, settings_for(receiver_process.url), workers)
    queued = []
    for index in range(50):
        queued.append(outbox.enqueue(make_request(index)))
        worker.wake()
    assert wait_until(lambda: (outbox.status().last_error or "").startswith("connection refused"), 5)
    time.sleep(0.5)  # several failed rounds while the hospital is unreachable
    assert outbox.status().delivered == 0
    receiver_process.start()
    assert wait_until(lambda: outbox.status().delivered == 50, timeout=30)
    assert_exactly_once(receiver_process, outbox, queued)
    assert max(outbox.get(item.id).attempts for item in queued) > 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param([respond(500), respond(500)], id="500"),
        pytest.param([respond(503, b'{"error": "maintenance"}', Retry_After="1")], id="503-retry-after"),
        pytest.param([respond(429, Retry_After="1"), respond(429, Retry_After="0")], id="429"),
        pytest.param([Fault(STALL), Fault(STALL)], id="timeouts"),
        pytest.param([Fault(RESET), Fault(RESET), Fault(RESET)], id="connection-resets"),
        pytest.param([Fault(DROP_RESPONSE), Fault(DROP_RESPONSE)], id="response-dropped-after-commit"),
    ],
)
def test_transient_faults_end_in_exactly_once_delivery(
    receiver_process: ReceiverProcess, outbox: Outbox, workers: list[DeliveryWorker], faults: list[Fault]
) -> None:
    receiver_process.start()
    with FaultProxy(receiver_process.port) as proxy:
        proxy.script(*faults)
        worker = start_worker(outbox, settings_for(proxy.url()), workers)
        queued = [outbox.enqueue(make_request(index)) for index in range(5)]
        worker.wake()
        assert wait_until(lambda: outbox.status().delivered == 5, timeout=20)
        assert proxy.faults_used[: len(faults)] == [fault.kind for fault in faults]
    assert_exactly_once(receiver_process, outbox, queued)
    attempts = sum(outbox.get(item.id).attempts for item in queued)  # type: ignore[union-attr]
    assert attempts == 5 + len(faults)


@pytest.mark.slow
def test_retry_after_is_honoured(
    receiver_process: ReceiverProcess, outbox: Outbox, workers: list[DeliveryWorker]
) -> None:
    receiver_process.start()
    with FaultProxy(receiver_process.port) as proxy:
        proxy.script(respond(503, Retry_After="2"))
        queued = outbox.enqueue(make_request(1))
        started = time.monotonic()
        start_worker(outbox, settings_for(proxy.url(), backoff_cap=10.0), workers)
        assert wait_until(lambda: outbox.status().delivered == 1, timeout=10)
        elapsed = time.monotonic() - started
    assert 1.9 <= elapsed < 5, elapsed
    assert_exactly_once(receiver_process, outbox, [queued])


def test_a_wrong_token_parks_requests_until_staff_fix_it(
    receiver_process: ReceiverProcess, outbox: Outbox, workers: list[DeliveryWorker]
) -> None:
    receiver_process.start()
    wrong = start_worker(outbox, settings_for(receiver_process.url, token="stale-token"), workers)
    queued = [outbox.enqueue(make_request(index)) for index in range(3)]
    wrong.wake()
    assert wait_until(lambda: outbox.status().needs_attention == 3, timeout=10)
    assert all("401" in (item.last_error or "") for item in outbox.needs_attention())
    time.sleep(0.3)
    assert all(outbox.get(item.id).attempts == 1 for item in queued), "a 401 is not retried blindly"  # type: ignore[union-attr]
    assert receiver_process.stored() == []
    assert wrong.stop(5)

    # Staff correct the token and run `kiosk outbox retry`.
    assert outbox.requeue_needs_attention() == 3
    start_worker(outbox, settings_for(receiver_process.url), workers)
    assert wait_until(lambda: outbox.status().delivered == 3, timeout=10)
    assert_exactly_once(receiver_process, outbox, queued)


def test_a_request_the_hospital_cannot_read_is_parked_with_a_reason(
    tmp_path: Path, receiver_process: ReceiverProcess, workers: list[DeliveryWorker]
) -> None:
    from kiosk.outbox.sealing import generate_keypair

    receiver_process.start()
    _, wrong_public_key = generate_keypair()  # a kiosk configured with another hospital's key
    with Outbox(tmp_path / "misconfigured.sqlite3", wrong_public_key) as outbox:
        queued = outbox.enqueue(make_request(1))
        start_worker(outbox, settings_for(receiver_process.url), workers)
        assert wait_until(lambda: outbox.status().needs_attention == 1, timeout=10)
        record = outbox.get(queued.id)
        assert record is not None and record.state == NEEDS_ATTENTION
        assert "422" in (record.last_error or "") and "cannot be opened" in (record.last_error or "")
        assert record.has_envelope, "parked, never dropped"
        workers[-1].stop(5)
    assert receiver_process.stored() == []


@pytest.mark.slow
def test_receiver_killed_and_restarted_mid_drain(
    receiver_process: ReceiverProcess, outbox: Outbox, workers: list[DeliveryWorker]
) -> None:
    import signal

    receiver_process.start()
    worker = start_worker(outbox, settings_for(receiver_process.url), workers)
    queued = [outbox.enqueue(make_request(index)) for index in range(100)]
    worker.wake()
    assert wait_until(lambda: outbox.status().delivered >= 10, timeout=10)
    receiver_process.stop(signal.SIGKILL)
    receiver_process.start()
    assert wait_until(lambda: outbox.status().delivered == 100, timeout=30)
    assert_exactly_once(receiver_process, outbox, queued)
