"""``Sender``: the Qt face of the delivery worker.

The GUI never waits for the network: delivery runs on the worker's thread, and results come back as
signals (emitted from that thread; Qt queues them to receivers living in the GUI thread). Reachability
changes reported by ``QNetworkInformation`` only wake the worker early; a delivered request is the only
proof of connectivity, so a missing or wrong backend costs at most a backoff period.

The retry "timer" is the worker's timed sleep until the next due request (see ``worker``), so nothing
polls: with an empty queue the thread sleeps until ``wake()``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from kiosk.outbox.backoff import backoff_delay, parse_retry_after, retry_delay
from kiosk.outbox.delivery import DeliveryOutcome, DeliverySettings, classify, deliver_one
from kiosk.outbox.refcount_guard import guard_bool_refcounts
from kiosk.outbox.store import Outbox, OutboxStatus
from kiosk.outbox.worker import DeliveryWorker

log = logging.getLogger(__name__)

__all__ = [
    "DeliveryOutcome",
    "DeliverySettings",
    "Sender",
    "backoff_delay",
    "classify",
    "deliver_one",
    "parse_retry_after",
    "retry_delay",
]


class Sender(QObject):
    """Delivers the outbox in the background. ``start()`` once, ``wake()`` after each enqueue."""

    statusChanged = Signal(object)  # OutboxStatus
    delivered = Signal(str)  # request id

    def __init__(
        self,
        outbox: Outbox,
        settings: DeliverySettings,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        watch_network: bool = True,
    ) -> None:
        super().__init__(parent)
        # This object emits for as long as the kiosk runs: make sure emitting cannot crash it.
        guard_bool_refcounts()
        self._outbox = outbox
        self._watch_network = watch_network
        self._network: QObject | None = None
        self._worker = DeliveryWorker(
            outbox,
            settings,
            clock=clock,
            rng=rng,
            on_delivered=self.delivered.emit,
            on_status=self.statusChanged.emit,
        )

    def start(self) -> None:
        """Repair sends a crash interrupted and start delivering (a no-op network-wise when no
        endpoint is configured: requests then wait in the outbox, and status is still reported)."""
        if self._watch_network:
            self._connect_network_hints()
        self._worker.start()

    def wake(self) -> None:
        """Look at the queue now (call after ``Outbox.enqueue``). Cheap, never blocks."""
        self._worker.wake()

    def stop(self, timeout: float | None = 10.0) -> bool:
        """Stop delivering and join the worker thread; True if it ended within ``timeout``."""
        if self._network is not None:
            self._network.reachabilityChanged.disconnect(self._on_reachability_changed)  # type: ignore[attr-defined]
            self._network = None
        return self._worker.stop(timeout)

    def status(self) -> OutboxStatus:
        """The current status, read directly (for a screen opening now rather than waiting a signal)."""
        return self._outbox.status()

    @property
    def running(self) -> bool:
        return self._worker.running

    def _connect_network_hints(self) -> None:
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if not QNetworkInformation.loadDefaultBackend():
                log.info("no network-information backend; relying on retries alone")
                return
            information = QNetworkInformation.instance()
        except Exception as error:  # a hint source only: never let it stop delivery
            log.info("network-information unavailable (%s); relying on retries alone", error)
            return
        if information is None:
            return
        information.reachabilityChanged.connect(self._on_reachability_changed)
        self._network = information

    def _on_reachability_changed(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability in (QNetworkInformation.Reachability.Online, QNetworkInformation.Reachability.Site):
            log.info("network reachable again: trying the queue now")
            self._worker.network_changed()
