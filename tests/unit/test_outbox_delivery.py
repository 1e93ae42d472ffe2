"""One delivery attempt against real sockets: classification, deadlines, and what the store records."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.outbox.delivery import (
    DELIVERED,
    NEEDS_ATTENTION,
    RETRY,
    DeliveryOutcome,
    DeliverySettings,
    apply_outcome,
    deliver_one,
)
from kiosk.outbox.http import AbortHandle, Endpoint, EndpointError
from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.store import NEEDS_ATTENTION as PARKED
from kiosk.outbox.store import QUEUED, Outbox, PendingRequest
from kiosk.receiver.server import ReceiverHTTPServer
from tests.faults.faultproxy import CLOSE, DRIP, RESET, STALL, Fault, FaultProxy, respond

TOKEN = "t0ken-for-lobby-kiosk-0123456789"
NOW = 1_800_000_000.0


def make_request() -> ConsultationRequest:
    return ConsultationRequest(
        full_name="Olga Ivanova", country="RU", phone="+79161234567", email="", contact_language="ru",
        channel="whatsapp", relation="self", age=60, description="", consent=True,
        privacy_notice_version="2026-11", ui_language="ru",
    )




@pytest.fixture
def item(outbox: Outbox) -> PendingRequest:
    outbox.enqueue(make_request())
    [pending] = outbox.due()
    assert outbox.claim(pending.id)
    return pending


@pytest.fixture
def scripted() -> Iterator[FaultProxy]:
    with FaultProxy() as proxy:
        yield proxy


def settings_for(url: str, **overrides: object) -> DeliverySettings:
    values: dict[str, object] = {"endpoint": url, "kiosk_id": "lobby-1", "token": TOKEN,
                                 "connect_timeout": 2.0, "deadline": 2.0}
    values.update(overrides)
    return DeliverySettings(**values)  # type: ignore[arg-type]


# --- against the real receiver ----------------------------------------------------------------------


def test_delivered_with_the_receivers_receipt_and_recorded(
    tmp_path: Path, keys: tuple[str, str], outbox: Outbox, item: PendingRequest
) -> None:
    server = ReceiverHTTPServer.local(tmp_path / "r.db", keys[0], [f"lobby-1={TOKEN}"]).start_in_thread()
    try:
        outcome = deliver_one(item, settings_for(server.url), now=NOW)
        assert outcome.kind == DELIVERED and outcome.status == 200
        assert outcome.receipt and outcome.receipt.startswith("R-")
        apply_outcome(outbox, item, outcome, settings_for(server.url), now=NOW)
        record = outbox.get(item.id)
        assert record is not None and record.receipt == outcome.receipt and not record.has_envelope
        # A resend (say the first answer was lost) gets the same receipt: no duplicate at the hospital.
        assert deliver_one(item, settings_for(server.url), now=NOW).receipt == outcome.receipt
        assert server.ingestor.store.count() == 1
    finally:
        server.close()


def test_a_wrong_token_parks_the_request_with_the_servers_reason(
    tmp_path: Path, keys: tuple[str, str], outbox: Outbox, item: PendingRequest
) -> None:
    server = ReceiverHTTPServer.local(tmp_path / "r.db", keys[0], ["other-token"]).start_in_thread()
    try:
        outcome = deliver_one(item, settings_for(server.url), now=NOW)
    finally:
        server.close()
    assert outcome.kind == NEEDS_ATTENTION and outcome.status == 401
    assert "bearer token" in outcome.detail
    apply_outcome(outbox, item, outcome, settings_for("http://127.0.0.1:1/"), now=NOW)
    record = outbox.get(item.id)
    assert record is not None and record.state == PARKED and record.has_envelope


# --- scripted answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "kind", "retry_after"),
    [
        (respond(500, b'{"error": "database down"}'), RETRY, None),
        (respond(502), RETRY, None),
        (respond(503, Retry_After="120"), RETRY, 120.0),
        (respond(503, Retry_After="Fri, 15 Jan 2027 08:00:20 GMT"), RETRY, 20.0),
        (respond(429, Retry_After="3"), RETRY, 3.0),
        (respond(408), RETRY, None),
        (respond(409, b'{"error": "in flight"}', Retry_After="1"), RETRY, 1.0),
        (respond(200, b'{"ok": true}'), RETRY, None),
        (respond(200, b"not json"), RETRY, None),
        (respond(400, b'{"error": "bad shape"}'), NEEDS_ATTENTION, None),
        (respond(403), NEEDS_ATTENTION, None),
        (respond(404), NEEDS_ATTENTION, None),
        (respond(422, b'{"error": "different request"}'), NEEDS_ATTENTION, None),
        (respond(301, Location="https://new.example/requests"), NEEDS_ATTENTION, None),
        (respond(201, b'{"receipt": "R-xyz"}'), DELIVERED, None),
    ],
)
def test_answers_are_classified(
    scripted: FaultProxy, item: PendingRequest, fault: Fault, kind: str, retry_after: float | None
) -> None:
    scripted.script(fault)
    now = 1_800_000_000.0  # 2027-01-15T08:00:00Z
    outcome = deliver_one(item, settings_for(scripted.url()), now=now)
    assert outcome.kind == kind, outcome
    assert outcome.status == fault.status
    assert outcome.retry_after == (pytest.approx(retry_after) if retry_after is not None else None)
    if kind == NEEDS_ATTENTION:
        assert str(fault.status) in outcome.detail


def test_the_request_carries_the_contract_headers(scripted: FaultProxy, item: PendingRequest) -> None:
    scripted.script(respond(200, b'{"receipt": "R-1"}'))
    deliver_one(item, settings_for(scripted.url()), now=NOW)
    [raw] = scripted.requests
    head = raw.split(b"\r\n\r\n")[0].decode()
    assert head.startswith("POST /v1/requests HTTP/1.1")
    assert f"Idempotency-Key: {item.id}" in head
    assert f"Authorization: Bearer {TOKEN}" in head
    assert "Content-Type: application/json" in head


def test_the_servers_reason_is_cleaned_and_bounded(scripted: FaultProxy, item: PendingRequest) -> None:
    scripted.script(respond(400, ("\u202eevil\x00 " + "x" * 5000).encode()))
    outcome = deliver_one(item, settings_for(scripted.url()), now=NOW)
    assert outcome.kind == NEEDS_ATTENTION
    assert "\u202e" not in outcome.detail and "\x00" not in outcome.detail
    assert len(outcome.detail) < 400


@pytest.mark.parametrize("kind", [RESET, CLOSE])
def test_broken_connections_are_retried(scripted: FaultProxy, item: PendingRequest, kind: str) -> None:
    scripted.script(Fault(kind))
    outcome = deliver_one(item, settings_for(scripted.url()), now=NOW)
    assert outcome.kind == RETRY and outcome.status is None and outcome.detail


def test_a_refused_connection_is_retried(item: PendingRequest) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = deliver_one(item, settings_for(f"http://127.0.0.1:{port}/v1/requests"), now=NOW)
    assert outcome.kind == RETRY and "refused" in outcome.detail


@pytest.mark.parametrize("kind", [STALL, DRIP])
def test_the_whole_request_deadline_is_enforced(
    scripted: FaultProxy, item: PendingRequest, kind: str
) -> None:
    # DRIP sends a byte every 0.2 s: every single read succeeds, only the overall deadline can stop it.
    scripted.script(Fault(kind, byte_interval=0.2))
    started = time.monotonic()
    outcome = deliver_one(item, settings_for(scripted.url(), deadline=1.0), now=NOW)
    elapsed = time.monotonic() - started
    assert outcome.kind == RETRY and "within 1 s" in outcome.detail
    assert elapsed < 2.0


def test_abort_cuts_an_in_flight_request_short(scripted: FaultProxy, item: PendingRequest) -> None:
    scripted.script(Fault(STALL))
    handle = AbortHandle()
    threading.Timer(0.3, handle.abort, args=("the kiosk is shutting down",)).start()
    started = time.monotonic()
    outcome = deliver_one(item, settings_for(scripted.url(), deadline=20.0), now=NOW, abort=handle)
    assert outcome.kind == RETRY and "shutting down" in outcome.detail
    assert time.monotonic() - started < 5


# --- recording outcomes -----------------------------------------------------------------------------


def test_a_retry_is_scheduled_with_backoff_or_retry_after(outbox: Outbox, item: PendingRequest) -> None:
    settings = settings_for("http://127.0.0.1:1/", backoff_base=5.0, backoff_cap=900.0)
    next_at = apply_outcome(outbox, item, DeliveryOutcome(RETRY, "HTTP 503", 503, 7200.0), settings,
                            now=NOW, rng=random.Random(1))
    assert next_at == NOW + 900.0, "Retry-After is honoured only up to the cap"
    record = outbox.get(item.id)
    assert record is not None and record.state == QUEUED and record.last_error == "HTTP 503"
    assert outbox.claim(item.id)
    next_at = apply_outcome(outbox, item, DeliveryOutcome(RETRY, "reset"), settings, now=NOW,
                            rng=random.Random(1))
    assert next_at is not None and NOW <= next_at <= NOW + 10.0  # second attempt: ceiling 2 * base


# --- settings ---------------------------------------------------------------------------------------


def test_settings_come_from_the_declared_config() -> None:
    config = load_config(None, environ={
        "KIOSK_DELIVERY_ENDPOINT": "https://hospital.example/v1/requests",
        "KIOSK_DELIVERY_TOKEN": TOKEN,
        "KIOSK_DELIVERY_BACKOFF_CAP_SECONDS": "300",
        "KIOSK_DELIVERY_RETENTION_DAYS": "7",
    })
    settings = DeliverySettings.from_config(config)
    assert settings.enabled and settings.backoff_cap == 300.0 and settings.retention_seconds == 7 * 86400
    assert settings.effective_kiosk_id  # falls back to the host name


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"KIOSK_DELIVERY_BACKOFF_CAP_SECONDS": "1800"}, "at most 900"),
        ({"KIOSK_DELIVERY_ENDPOINT": "http://hospital.example/x", "KIOSK_DELIVERY_TOKEN": "t"}, "https"),
        ({"KIOSK_DELIVERY_ENDPOINT": "https://hospital.example/x"}, "delivery.token"),
        ({"KIOSK_DELIVERY_ENDPOINT": "ftp://x/", "KIOSK_DELIVERY_TOKEN": "t"}, "https"),
    ],
)
def test_bad_settings_name_what_to_fix(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DeliverySettings.from_config(load_config(None, environ=environ))


def test_endpoint_parsing() -> None:
    assert Endpoint.parse("https://h.example/a/b?x=1") == Endpoint("https", "h.example", 443, "/a/b?x=1")
    assert Endpoint.parse("http://127.0.0.1:8080").target == "/"
    assert Endpoint.parse("http://[::1]:9/x").host == "::1"
    with pytest.raises(EndpointError, match="credentials"):
        Endpoint.parse("https://user:pw@h.example/")
    with pytest.raises(EndpointError, match="plain http"):
        Endpoint.parse("http://10.0.0.5/requests")
