"""One delivery attempt: build the POST, send it, classify the answer, record the outcome.

The classification is the heart of "never lost, never duplicated":

* 2xx with a receipt            -> delivered (the envelope is destroyed)
* 408, 409, 429, 5xx, no answer -> retry later (Retry-After honoured, never beyond the cap); resending is
                                   safe because the Idempotency-Key is the same
* 2xx without a receipt         -> retry (the server's de-duplication answers the resend with a receipt)
* 3xx and every other 4xx       -> needs attention: retrying cannot help, staff must look; the request
                                   stays stored and can be re-queued once the cause is fixed
"""

from __future__ import annotations

import base64
import json
import logging
import random
import socket
import ssl
from dataclasses import dataclass
from typing import Any

from kiosk import __version__
from kiosk.config import declared, delivery_problem
from kiosk.outbox.backoff import parse_retry_after, retry_delay
from kiosk.outbox.http import AbortHandle, Endpoint, HttpResponse, TransportError, make_ssl_context, post
from kiosk.outbox.store import Outbox, PendingRequest, format_timestamp
from kiosk.outbox.text import clean_text

log = logging.getLogger(__name__)

# 15 min: a kiosk back online must not sit on a request longer than that. Declared with the setting.
BACKOFF_CAP_MAX = float(declared("delivery.backoff_cap_seconds").maximum or 900.0)
REASON_MAX = 300

DELIVERED = "delivered"
RETRY = "retry"
NEEDS_ATTENTION = "needs_attention"

_RETRY_STATUSES = frozenset({408, 409, 425, 429})


@dataclass(frozen=True)
class DeliverySettings:
    """Where and how to deliver; ``endpoint == ""`` means queue only (no network)."""

    endpoint: str = ""
    kiosk_id: str = ""
    token: str = ""
    ca_file: str = ""
    connect_timeout: float = 10.0
    deadline: float = 30.0
    backoff_base: float = 5.0
    backoff_cap: float = BACKOFF_CAP_MAX
    retention_seconds: float = 30 * 86400.0

    @property
    def enabled(self) -> bool:
        return bool(self.endpoint.strip())

    @property
    def effective_kiosk_id(self) -> str:
        return self.kiosk_id.strip() or socket.gethostname()

    @classmethod
    def from_config(cls, config: Any) -> DeliverySettings:
        """Read the ``delivery.*`` settings; raise ``ConfigError`` naming the setting to fix."""
        from kiosk.config import ConfigError

        settings = cls(
            endpoint=str(config["delivery.endpoint"]).strip(),
            kiosk_id=str(config["delivery.kiosk_id"]).strip(),
            token=str(config["delivery.token"]),
            ca_file=str(config["delivery.ca_file"]).strip(),
            connect_timeout=float(config["delivery.connect_timeout_seconds"]),
            deadline=float(config["delivery.request_deadline_seconds"]),
            backoff_base=float(config["delivery.backoff_base_seconds"]),
            backoff_cap=float(config["delivery.backoff_cap_seconds"]),
            retention_seconds=float(config["delivery.retention_days"]) * 86400.0,
        )
        problem = settings.problem()
        if problem:
            raise ConfigError(problem)
        return settings

    def problem(self) -> str | None:
        """What is wrong with these settings, in words for IT; None when they are usable. The same checks
        as ``load_config``'s (one implementation, in ``kiosk.config``)."""
        return delivery_problem(self.endpoint, self.token, self.backoff_cap)

    def ssl_context(self) -> ssl.SSLContext:
        return make_ssl_context(self.ca_file or None)


@dataclass(frozen=True)
class DeliveryOutcome:
    kind: str  # DELIVERED | RETRY | NEEDS_ATTENTION
    detail: str = ""  # receipt when delivered, else the reason in words for staff
    status: int | None = None
    retry_after: float | None = None

    @property
    def receipt(self) -> str | None:
        return self.detail if self.kind == DELIVERED else None


def build_body(item: PendingRequest, kiosk_id: str) -> bytes:
    document = {
        "id": item.id,
        "reference": item.reference,
        "created_at": format_timestamp(item.created_at),
        "kiosk_id": kiosk_id,
        "envelope": base64.b64encode(item.sealed).decode("ascii"),
        "envelope_sha256": item.sealed_sha256,
    }
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def build_headers(item: PendingRequest, settings: DeliverySettings) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Idempotency-Key": item.id,
        "Authorization": f"Bearer {settings.token.strip()}",
        "User-Agent": f"dystonia-kiosk/{__version__}",
        "Connection": "close",
    }


def deliver_one(
    item: PendingRequest,
    settings: DeliverySettings,
    *,
    now: float,
    ssl_context: ssl.SSLContext | None = None,
    abort: AbortHandle | None = None,
) -> DeliveryOutcome:
    """POST one request and say what happened; never raises for network or server trouble."""
    try:
        endpoint = Endpoint.parse(settings.endpoint)
    except ValueError as error:
        return DeliveryOutcome(NEEDS_ATTENTION, f"delivery.endpoint: {error}")
    if endpoint.scheme == "https" and ssl_context is None:
        ssl_context = settings.ssl_context()  # callers pass one in to reuse it across requests
    try:
        response = post(
            endpoint,
            build_body(item, settings.effective_kiosk_id),
            build_headers(item, settings),
            ssl_context=ssl_context,
            connect_timeout=settings.connect_timeout,
            deadline=settings.deadline,
            abort=abort,
        )
    except TransportError as error:
        return DeliveryOutcome(RETRY, str(error))
    return classify(response, now)


def classify(response: HttpResponse, now: float) -> DeliveryOutcome:
    status = response.status
    document = _json_object(response.body)
    if 200 <= status < 300:
        receipt = document.get("receipt")
        if isinstance(receipt, str) and receipt.strip():
            return DeliveryOutcome(DELIVERED, clean_text(receipt, REASON_MAX), status)
        return DeliveryOutcome(RETRY, f"HTTP {status} without a receipt", status)
    reason = _server_reason(response, document)
    if status >= 500 or status in _RETRY_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        return DeliveryOutcome(RETRY, reason, status, retry_after)
    if 300 <= status < 400:
        location = clean_text(response.headers.get("location", ""), REASON_MAX)
        return DeliveryOutcome(
            NEEDS_ATTENTION,
            f"{reason}; the endpoint redirects to {location or 'another address'}: configure that address",
            status,
        )
    return DeliveryOutcome(NEEDS_ATTENTION, reason, status)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return document if isinstance(document, dict) else {}


def _server_reason(response: HttpResponse, document: dict[str, Any]) -> str:
    message = document.get("error") or document.get("message") or document.get("detail")
    if not isinstance(message, str):
        message = response.body.decode("utf-8", "replace") if response.body else ""
    message = clean_text(message, REASON_MAX)
    head = f"HTTP {response.status} {clean_text(response.reason, 60)}".rstrip()
    return f"{head}: {message}" if message else head


def _log_summary(outcome: DeliveryOutcome) -> str:
    """What the log may say about an outcome. Never the server's own words: a receiver that opens the
    envelope may quote the patient's details in them (they stay in the outbox's last_error for staff)."""
    if outcome.status is None:
        return outcome.detail  # the kiosk's own description of a transport failure
    return f"HTTP {outcome.status}"


def apply_outcome(
    outbox: Outbox,
    item: PendingRequest,
    outcome: DeliveryOutcome,
    settings: DeliverySettings,
    *,
    now: float,
    rng: random.Random | None = None,
) -> float | None:
    """Record ``outcome`` in the outbox; for a retry, return the time of the next attempt."""
    if outcome.kind == DELIVERED:
        outbox.mark_delivered(item.id, outcome.detail)
        return None
    if outcome.kind == NEEDS_ATTENTION:
        log.warning("request %s needs attention: %s", item.reference, _log_summary(outcome))
        outbox.mark_needs_attention(item.id, outcome.detail)
        return None
    attempt = item.attempts + 1  # the claim counted this attempt
    delay = retry_delay(attempt, outcome.retry_after, settings.backoff_base, settings.backoff_cap, rng)
    next_attempt_at = now + delay
    log.info("request %s: %s; retry in %.1f s", item.reference, _log_summary(outcome), delay)
    outbox.mark_retry(item.id, outcome.detail, next_attempt_at)
    return next_attempt_at
