"""The delivery loop on its own thread: drain what is due, then sleep until the next due time.

No Qt here, so the same loop runs inside the kiosk (wrapped by ``sender.Sender``), in tests and in the
benchmark. It sleeps on a ``threading.Event`` with a timeout equal to the time until the next request is
due, which is a single-shot timer in effect: with an empty queue the thread blocks without a timeout and
uses no CPU at all. ``wake()`` (after an enqueue, or a network-came-back hint) ends the sleep early.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable

from kiosk.outbox.delivery import (
    DELIVERED,
    RETRY,
    DeliveryOutcome,
    DeliverySettings,
    apply_outcome,
    deliver_one,
)
from kiosk.outbox.http import AbortHandle
from kiosk.outbox.store import Outbox, OutboxError, OutboxStatus, PendingRequest

log = logging.getLogger(__name__)

# How long to back off when the outbox itself fails (disk trouble): retrying at once would spin.
STORE_TROUBLE_PAUSE = 30.0
# Retention purges need no precision; once an hour is plenty.
PURGE_INTERVAL = 3600.0


class DeliveryWorker:
    """Delivers due requests from ``outbox`` on a background thread."""

    def __init__(
        self,
        outbox: Outbox,
        settings: DeliverySettings,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        on_delivered: Callable[[str], None] | None = None,
        on_status: Callable[[OutboxStatus], None] | None = None,
        batch_size: int = 25,
        status_interval: float = 0.5,
    ) -> None:
        self.outbox = outbox
        self.settings = settings
        self._clock = clock
        self._rng = rng
        self._on_delivered = on_delivered
        self._on_status = on_status
        self._batch_size = batch_size
        self._status_interval = status_interval
        self._wake = threading.Event()
        self._hurry = threading.Event()
        self._stopping = threading.Event()
        self._abort: AbortHandle | None = None
        self._abort_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ssl_context = settings.ssl_context() if settings.enabled else None
        self._last_status_at = 0.0
        self._next_purge_at = 0.0

    # -- control (any thread) --

    def start(self) -> None:
        """Requeue sends a crash interrupted, then start the thread."""
        if self._thread is not None:
            return
        self.outbox.requeue_stale_sending()
        self._thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (after an enqueue); requests waiting out a backoff keep waiting."""
        self._wake.set()

    def network_changed(self) -> None:
        """The network may be back: try every queued request now instead of after its backoff."""
        self._hurry.set()
        self._wake.set()

    def stop(self, timeout: float | None = 10.0) -> bool:
        """Stop the loop, cutting an in-flight request short; True if the thread ended in time.

        An interrupted request goes back to the queue (or stays 'sending' if the process dies first,
        which the next start repairs); the receiver's de-duplication makes the resend harmless.
        """
        self._stopping.set()
        with self._abort_lock:
            if self._abort is not None:
                self._abort.abort("the kiosk is shutting down")
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- the loop --

    def _run(self) -> None:
        self._report_status(force=True)
        while not self._stopping.is_set():
            # Clear before draining: a wake() that arrives while draining must cause another pass.
            self._wake.clear()
            try:
                self._purge_if_due()
                self.drain()
                timeout = self._sleep_seconds()
            except OutboxError as error:
                log.error("outbox trouble, pausing delivery: %s", error)
                timeout = STORE_TROUBLE_PAUSE
                # Recording an outcome may have failed: this thread is the only sender, so any
                # 'sending' row is one it abandoned and must go back to the queue.
                with contextlib.suppress(OutboxError):
                    self.outbox.requeue_stale_sending()
            self._report_status(force=True)
            self._wake.wait(timeout)

    def drain(self) -> int:
        """Deliver everything due now (in batches); return how many attempts were made."""
        if not self.settings.enabled:
            return 0
        attempts = 0
        while not self._stopping.is_set():
            if self._hurry.is_set():
                self._hurry.clear()
                self.outbox.hurry_queued()
            batch = self.outbox.due(self._clock(), self._batch_size)
            if not batch:
                break
            for item in batch:
                if self._stopping.is_set():
                    break
                if not self.outbox.claim(item.id):
                    continue
                attempts += 1
                if self._attempt(item) == DELIVERED:
                    # A delivery proves the way to the hospital works: the others need not wait out
                    # backoffs earned while it did not.
                    self._hurry.set()
                self._report_status(force=False)
        return attempts

    def _attempt(self, item: PendingRequest) -> str:
        abort = AbortHandle()
        with self._abort_lock:
            self._abort = abort
            if self._stopping.is_set():
                abort.abort("the kiosk is shutting down")
        try:
            outcome = deliver_one(
                item, self.settings, now=self._clock(), ssl_context=self._ssl_context, abort=abort
            )
        except Exception as error:  # a bug must not strand the request in 'sending'
            log.exception("unexpected error delivering %s", item.reference)
            outcome = DeliveryOutcome(RETRY, f"internal error: {type(error).__name__}: {error}")
        finally:
            with self._abort_lock:
                self._abort = None
        apply_outcome(self.outbox, item, outcome, self.settings, now=self._clock(), rng=self._rng)
        if outcome.kind == DELIVERED and self._on_delivered is not None:
            self._on_delivered(item.id)
        return outcome.kind

    def _sleep_seconds(self) -> float | None:
        """Until the next request is due (or the next purge); None = until woken."""
        if not self.settings.enabled:
            return self._until(self._next_purge_at)
        next_due = self.outbox.next_due_at()
        candidates = [self._next_purge_at]
        if next_due is not None:
            candidates.append(next_due)
        seconds = self._until(min(candidates))
        # A wall-clock jump backwards must not stretch a wait beyond the longest backoff.
        return min(seconds, self.settings.backoff_cap) if next_due is not None else seconds

    def _until(self, moment: float) -> float:
        return max(0.0, moment - self._clock())

    def _purge_if_due(self) -> None:
        now = self._clock()
        if now < self._next_purge_at:
            return
        removed = self.outbox.purge_delivered_older_than(self.settings.retention_seconds)
        if removed:
            log.info("forgot %d delivered requests past the retention period", removed)
        self._next_purge_at = now + PURGE_INTERVAL

    def _report_status(self, *, force: bool) -> None:
        if self._on_status is None:
            return
        moment = time.monotonic()
        if not force and moment - self._last_status_at < self._status_interval:
            return
        self._last_status_at = moment
        try:
            status = self.outbox.status()
        except OutboxError as error:
            log.error("cannot read the outbox status: %s", error)
            return
        self._on_status(status)
