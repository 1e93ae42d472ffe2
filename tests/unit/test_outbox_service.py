"""RequestService.submit: what the consultation form calls."""

from __future__ import annotations

from pathlib import Path

from kiosk.outbox.sealing import generate_keypair
from kiosk.outbox.service import FORM_ERROR, RequestService
from kiosk.outbox.store import Outbox
from kiosk.receiver.opening import open_sealed

FIELDS = {
    "full_name": "Hans Müller", "country": "DE", "phone": "0151 23456789", "email": "hans@example.de",
    "contact_language": "de", "channel": "email", "relation": "family", "age": "67",
    "description": "Blepharospasmus", "consent": True,
}


def test_a_valid_form_is_stored_sealed_and_the_sender_woken(tmp_path: Path) -> None:
    private, public = generate_keypair()
    wakes: list[bool] = []
    with Outbox(tmp_path / "o.db", public) as outbox:
        service = RequestService(outbox, wake_sender=lambda: wakes.append(True))
        assert service.available
        result = service.submit(FIELDS, ui_language="de")
        assert result.ok and result.errors == {}
        assert result.reference is not None and len(result.reference) == 9
        assert wakes == [True]
        [pending] = outbox.due()
        assert pending.reference == result.reference
        assert b"Hans" in open_sealed(pending.sealed, private)


def test_an_invalid_form_stores_nothing_and_returns_field_messages(tmp_path: Path) -> None:
    wakes: list[bool] = []
    with Outbox(tmp_path / "o.db", generate_keypair()[1]) as outbox:
        result = RequestService(outbox, lambda: wakes.append(True)).submit({**FIELDS, "phone": "1"})
        assert not result.ok and result.reference is None
        assert set(result.errors) == {"phone"}
        assert outbox.status().queued == 0 and wakes == []


def test_a_storage_failure_is_never_reported_as_received(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.db", generate_keypair()[1], max_bytes=32 * 1024) as outbox:
        service = RequestService(outbox)
        results = [service.submit(FIELDS) for _ in range(200)]
        failed = [result for result in results if not result.ok]
        assert failed, "the cap should have been reached"
        assert "staff" in failed[0].errors[FORM_ERROR]
        assert outbox.status().queued == sum(1 for result in results if result.ok)


def test_without_a_hospital_key_the_form_is_unavailable(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.db") as outbox:
        service = RequestService(outbox)
        assert not service.available
        assert FORM_ERROR in service.submit(FIELDS).errors
