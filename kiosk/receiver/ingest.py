"""The delivery contract's decisions, independent of HTTP (the export-folder import uses them too).

Order matters: cheap shape checks first, then the idempotency reservation, then the expensive and
fallible opening of the envelope. A request is only acknowledged (receipt) after it is committed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nacl.public import PrivateKey

from kiosk.outbox.request import ConsultationRequest, RequestFormatError
from kiosk.receiver.opening import OpeningError, open_sealed
from kiosk.receiver.store import CONFLICT, DUPLICATE, IN_FLIGHT, ReceiverStore

MAX_ENVELOPE_BYTES = 64 * 1024
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, message: str, **headers: str) -> Answer:
    return Answer(status, {"error": message}, dict(headers))


class Ingestor:
    """Stores each request once; thread-safe (the store serialises its writes)."""

    def __init__(
        self,
        store: ReceiverStore,
        private_key: PrivateKey,
        *,
        processing_delay: float = 0.0,
        stale_after: float = 60.0,
    ) -> None:
        self.store = store
        self._private_key = private_key
        # Trials only: pretend the hospital's system is slow, to see 409 "in flight" answers.
        self._processing_delay = processing_delay
        self._stale_after = stale_after

    def ingest(
        self, idempotency_key: str | None, document: Any, *, kiosk_id: str | None, source: str = "http"
    ) -> Answer:
        """Decide and record; ``kiosk_id`` is the authenticated kiosk (None: any, e.g. import)."""
        if not idempotency_key:
            return _error(400, "the Idempotency-Key header is missing")
        if not _is_uuid(idempotency_key):
            return _error(400, "the Idempotency-Key must be a UUID")
        if not isinstance(document, Mapping):
            return _error(400, "the body must be a JSON object")
        problem = _shape_problem(document)
        if problem:
            return _error(400, problem)
        if document["id"] != idempotency_key:
            return _error(400, "the Idempotency-Key header must equal the body's 'id'")
        if kiosk_id is not None and document["kiosk_id"] != kiosk_id:
            return _error(403, f"this token belongs to kiosk {kiosk_id!r}, not {document['kiosk_id']!r}")
        try:
            envelope = base64.b64decode(document["envelope"], validate=True)
        except (binascii.Error, ValueError):
            return _error(422, "'envelope' is not valid base64")
        if len(envelope) > MAX_ENVELOPE_BYTES:
            return _error(422, "'envelope' is too large")
        digest = hashlib.sha256(envelope).hexdigest()
        if digest != document["envelope_sha256"]:
            return _error(422, "'envelope_sha256' does not match the envelope")

        reservation = self.store.reserve(idempotency_key, digest, self._stale_after)
        if reservation.outcome == DUPLICATE:
            return Answer(200, {"receipt": reservation.receipt, "id": idempotency_key, "duplicate": True})
        if reservation.outcome == IN_FLIGHT:
            return _error(409, "a request with this Idempotency-Key is still being processed",
                          **{"Retry-After": "1"})
        if reservation.outcome == CONFLICT:
            return _error(422, "this Idempotency-Key was already used for a different request")

        try:
            plaintext = open_sealed(envelope, self._private_key)
            request = ConsultationRequest.from_json_bytes(plaintext)
        except (OpeningError, RequestFormatError) as error:
            self.store.release(idempotency_key)
            return _error(422, f"the envelope is not a readable request: {error}")
        except BaseException:
            self.store.release(idempotency_key)
            raise
        if self._processing_delay:
            time.sleep(self._processing_delay)
        receipt = "R-" + secrets.token_urlsafe(12)
        self.store.complete(
            idempotency_key,
            kiosk_id=str(document["kiosk_id"]),
            reference=str(document.get("reference") or ""),
            created_at=str(document["created_at"]),
            receipt=receipt,
            source=source,
            request_json=plaintext.decode("utf-8"),
        )
        del request  # parsed only to prove the envelope holds a valid request
        return Answer(200, {"receipt": receipt, "id": idempotency_key})


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError, TypeError):
        return False


def _shape_problem(document: Mapping[str, Any]) -> str | None:
    for name in ("id", "created_at", "kiosk_id", "envelope", "envelope_sha256"):
        if not isinstance(document.get(name), str) or not document[name]:
            return f"'{name}' is missing or not a text"
    reference = document.get("reference")
    if reference is not None and not isinstance(reference, str):
        return "'reference' must be a text"
    if not _SHA256_HEX.match(document["envelope_sha256"]):
        return "'envelope_sha256' must be 64 lower-case hex digits"
    return None
