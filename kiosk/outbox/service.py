"""What the consultation form calls: one method, ``submit(fields)``.

The form hands over its raw values and gets back either per-field messages to show, or the reference
code to display on the "received" screen. The reference is returned only after the request is durably
stored, so "received" is never a promise the kiosk cannot keep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from kiosk.i18n import _
from kiosk.outbox.request import validate_form
from kiosk.outbox.store import Outbox, OutboxError, QueuedRequest

log = logging.getLogger(__name__)

# Key in ``SubmitResult.errors`` for a problem that belongs to no single field.
FORM_ERROR = "form"


@dataclass(frozen=True)
class SubmitResult:
    queued: QueuedRequest | None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.queued is not None

    @property
    def reference(self) -> str | None:
        """The code to show the patient ("ABCD-EFGH"), when the request was stored."""
        return None if self.queued is None else self.queued.reference


class RequestService:
    """Validates, stores and hands requests to the sender. Holds no patient data itself."""

    def __init__(self, outbox: Outbox | None, wake_sender: Callable[[], None] | None = None) -> None:
        """``outbox`` None: the outbox cannot take requests (damaged, read-only); the form is not offered."""
        self._outbox = outbox
        self._wake_sender = wake_sender

    @property
    def available(self) -> bool:
        """False when the kiosk cannot accept requests (no hospital key, no usable outbox): hide the form."""
        return self._outbox is not None and self._outbox.can_enqueue

    def submit(self, fields: Mapping[str, object], *, ui_language: str | None = None) -> SubmitResult:
        """Check ``fields``; if acceptable, store the sealed request and wake the sender."""
        result = validate_form(fields, ui_language=ui_language)
        if result.request is None:
            return SubmitResult(None, result.errors)
        try:
            if self._outbox is None:
                raise OutboxError("the outbox cannot take requests")
            queued = self._outbox.enqueue(result.request)
        except OutboxError as error:
            log.error("could not store a consultation request: %s", error)
            return SubmitResult(None, {FORM_ERROR: _(
                "Your request could not be saved on this kiosk. Please ask the staff at the reception "
                "desk for help."
            )})
        if self._wake_sender is not None:
            self._wake_sender()
        return SubmitResult(queued)
