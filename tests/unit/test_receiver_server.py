"""The reference receiver over real HTTP on 127.0.0.1: authentication and exactly-once semantics."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.outbox.delivery import DeliverySettings, build_body, build_headers
from kiosk.outbox.request import ConsultationRequest
from kiosk.outbox.sealing import generate_keypair
from kiosk.outbox.store import Outbox, PendingRequest
from kiosk.receiver.server import ReceiverHTTPServer

TOKEN = "kiosk-one-secret-token-0123456789abcdef"
OTHER_UUID = "0b0c8b1e-4a4e-4c47-9d3a-000000000000"


def make_request(name: str = "Leyla Demir") -> ConsultationRequest:
    return ConsultationRequest(
        full_name=name, country="TR", phone="+905321234567", email="", contact_language="tr",
        channel="phone", relation="self", age=33, description="", consent=True,
        privacy_notice_version="2026-11", ui_language="tr",
    )



@pytest.fixture
def receiver(tmp_path: Path, keys: tuple[str, str]) -> Iterator[ReceiverHTTPServer]:
    server = ReceiverHTTPServer.local(tmp_path / "receiver.db", keys[0], [f"lobby-1={TOKEN}"])
    server.start_in_thread()
    yield server
    server.close()


@pytest.fixture
def pending(tmp_path: Path, keys: tuple[str, str]) -> Iterator[list[PendingRequest]]:
    with Outbox(tmp_path / "outbox.db", keys[1]) as outbox:
        for index in range(3):
            outbox.enqueue(make_request(f"Patient {index}"))
        yield outbox.due()


def post(server: ReceiverHTTPServer, body: bytes, headers: dict[str, str],
         path: str | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST", path or server.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data or b"{}"), {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def send(server: ReceiverHTTPServer, item: PendingRequest, *, token: str = TOKEN,
         kiosk_id: str = "lobby-1") -> tuple[int, dict[str, Any], dict[str, str]]:
    settings = DeliverySettings(endpoint=server.url, kiosk_id=kiosk_id, token=token)
    return post(server, build_body(item, kiosk_id), build_headers(item, settings))


def test_a_request_is_stored_once_and_a_repeat_gets_the_original_receipt(
    receiver: ReceiverHTTPServer, pending: list[PendingRequest]
) -> None:
    status, answer, _ = send(receiver, pending[0])
    assert status == 200 and answer["id"] == pending[0].id
    receipt = answer["receipt"]
    assert receipt
    again_status, again, _ = send(receiver, pending[0])
    assert again_status == 200 and again["receipt"] == receipt
    [stored] = receiver.ingestor.store.stored()
    assert stored.id == pending[0].id and stored.reference == pending[0].reference
    assert json.loads(stored.request_json)["full_name"] == "Patient 0"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic " + TOKEN, "Bearer "])
def test_missing_or_wrong_credentials_get_401(
    receiver: ReceiverHTTPServer, pending: list[PendingRequest], authorization: str | None
) -> None:
    headers = build_headers(pending[0], DeliverySettings(endpoint=receiver.url, token=TOKEN))
    del headers["Authorization"]
    if authorization is not None:
        headers["Authorization"] = authorization
    status, answer, response_headers = post(receiver, build_body(pending[0], "lobby-1"), headers)
    assert status == 401
    assert "token" in answer["error"]
    assert response_headers["www-authenticate"].startswith("Bearer")
    assert receiver.ingestor.store.count() == 0


def test_a_token_bound_to_another_kiosk_is_refused(
    receiver: ReceiverHTTPServer, pending: list[PendingRequest]
) -> None:
    status, answer, _ = send(receiver, pending[0], kiosk_id="lobby-2")
    assert status == 403 and "lobby-1" in answer["error"]


def test_the_same_key_with_a_different_envelope_is_422(
    receiver: ReceiverHTTPServer, pending: list[PendingRequest]
) -> None:
    assert send(receiver, pending[0])[0] == 200
    forged = PendingRequest(pending[0].id, pending[0].reference, pending[0].created_at, 0,
                            pending[1].sealed, pending[1].sealed_sha256)
    status, answer, _ = send(receiver, forged)
    assert status == 422 and "different request" in answer["error"]
    assert receiver.ingestor.store.count() == 1


def test_an_envelope_that_does_not_match_its_checksum_is_422(
    receiver: ReceiverHTTPServer, pending: list[PendingRequest]
) -> None:
    item = pending[0]
    document = json.loads(build_body(item, "lobby-1"))
    document["envelope_sha256"] = hashlib.sha256(b"other").hexdigest()
    headers = build_headers(item, DeliverySettings(endpoint=receiver.url, token=TOKEN))
    status, answer, _ = post(receiver, json.dumps(document).encode(), headers)
    assert status == 422 and "does not match" in answer["error"]


def test_an_envelope_for_another_hospital_is_422_and_leaves_no_reservation(
    receiver: ReceiverHTTPServer, tmp_path: Path
) -> None:
    _, stranger_public = generate_keypair()
    with Outbox(tmp_path / "stranger.db", stranger_public) as outbox:
        outbox.enqueue(make_request())
        [item] = outbox.due()
    status, answer, _ = send(receiver, item)
    assert status == 422 and "cannot be opened" in answer["error"]
    status_again, _, _ = send(receiver, item)
    assert status_again == 422, "released: not a stuck 409"


def test_a_repeat_while_the_first_is_processing_gets_409(
    tmp_path: Path, keys: tuple[str, str], pending: list[PendingRequest]
) -> None:
    server = ReceiverHTTPServer.local(tmp_path / "slow.db", keys[0], [TOKEN], processing_delay=1.5)
    server.start_in_thread()
    try:
        first: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: first.update(answer=send(server, pending[0])))
        thread.start()
        store = server.ingestor.store
        deadline = time.monotonic() + 5
        while store.state_of(pending[0].id) != "processing" and time.monotonic() < deadline:
            time.sleep(0.01)
        status, _answer, headers = send(server, pending[0])
        assert status == 409 and headers["retry-after"] == "1"
        thread.join()
        assert first["answer"][0] == 200
        final_status, final, _ = send(server, pending[0])
        assert final_status == 200 and final["receipt"] == first["answer"][1]["receipt"]
        assert store.count() == 1 and store.state_of(pending[0].id) == "stored"
    finally:
        server.close()


def test_an_abandoned_reservation_is_taken_over_after_it_goes_stale(
    tmp_path: Path, keys: tuple[str, str], pending: list[PendingRequest]
) -> None:
    server = ReceiverHTTPServer.local(tmp_path / "r.db", keys[0], [TOKEN], stale_after=0.2)
    server.start_in_thread()
    try:
        # As if a receiver process died between reserving and storing.
        server.ingestor.store.reserve(pending[0].id, pending[0].sealed_sha256)
        assert send(server, pending[0])[0] == 409
        time.sleep(0.3)
        assert send(server, pending[0])[0] == 200
    finally:
        server.close()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda doc, headers: headers.pop("Idempotency-Key"), 400),
        (lambda doc, headers: headers.update({"Idempotency-Key": "not-a-uuid"}), 400),
        (lambda doc, headers: headers.update({"Idempotency-Key": OTHER_UUID}), 400),
        (lambda doc, headers: doc.pop("envelope"), 400),
        (lambda doc, headers: doc.update(envelope="!!not base64!!"), 422),
        (lambda doc, headers: doc.update(envelope_sha256="ABC"), 400),
    ],
)
def test_malformed_requests_get_4xx(
    receiver: ReceiverHTTPServer, pending: list[PendingRequest], mutate: Any, expected: int
) -> None:
    item = pending[0]
    document = json.loads(build_body(item, "lobby-1"))
    headers = build_headers(item, DeliverySettings(endpoint=receiver.url, token=TOKEN))
    mutate(document, headers)
    status, answer, _ = post(receiver, json.dumps(document).encode(), headers)
    assert status == expected, answer
    assert answer["error"]


def test_transport_level_refusals(receiver: ReceiverHTTPServer, pending: list[PendingRequest]) -> None:
    headers = build_headers(pending[0], DeliverySettings(endpoint=receiver.url, token=TOKEN))
    assert post(receiver, b"{not json", headers)[0] == 400
    assert post(receiver, b"{}", headers, path="/elsewhere")[0] == 404
    assert post(receiver, b"x" * (300 * 1024), headers)[0] == 413
    connection = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())["ok"] is True
    finally:
        connection.close()


def test_the_body_and_envelope_format_match_the_contract(pending: list[PendingRequest]) -> None:
    item = pending[0]
    document = json.loads(build_body(item, "lobby-1"))
    assert set(document) == {"id", "reference", "created_at", "kiosk_id", "envelope", "envelope_sha256"}
    assert base64.b64decode(document["envelope"]) == item.sealed
    assert document["created_at"].endswith("Z")
    headers = build_headers(item, DeliverySettings(token=TOKEN))
    assert headers["Idempotency-Key"] == item.id
    assert headers["Authorization"] == f"Bearer {TOKEN}"
