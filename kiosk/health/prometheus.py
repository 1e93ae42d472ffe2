"""Health as a Prometheus text-format file for node_exporter's textfile collector.

The collector reads every ``*.prom`` file in its directory at each scrape; a half-written file would be
read as garbage, so the file is written beside its final name under a name the collector ignores and
renamed over it (the rename is atomic within one directory).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from kiosk.health.report import HealthReport
from kiosk.outbox.store import STATES

log = logging.getLogger(__name__)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{name}="{_escape(str(value))}"' for name, value in labels.items()) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class _Document:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def metric(self, name: str, help_text: str, samples: list[tuple[dict[str, str], float]],
               kind: str = "gauge") -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            self.lines.append(f"{name}{_labels(labels)} {_number(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def render_prometheus(report: HealthReport) -> str:
    """The report in Prometheus text exposition format (metric names start with ``kiosk_``)."""
    doc = _Document()
    content = report.content
    doc.metric("kiosk_info", "Identity of this kiosk and the content it shows (always 1).", [(
        {"kiosk_id": report.kiosk_id, "bundle": content.bundle_id, "version": _version_label(report),
         "source": content.source, "app_version": report.app_version}, 1)])
    doc.metric("kiosk_healthy", "1 when every health rule passes, else 0.", [({}, 1 if report.healthy else 0)])
    doc.metric("kiosk_health_problem", "1 for each failed health rule, labelled with its code.",
               [({"reason": reason.code}, 1) for reason in report.reasons])
    status = report.outbox
    if status is not None:
        counts = {"queued": status.queued, "sending": status.sending, "delivered": status.delivered,
                  "needs_attention": status.needs_attention}
        doc.metric("kiosk_outbox_requests", "Consultation requests in the outbox, by state.",
                   [({"state": state}, counts[state]) for state in STATES])
        doc.metric("kiosk_outbox_oldest_undelivered_age_seconds",
                   "Age of the oldest request not yet delivered (0 when none is waiting).",
                   [({}, round(status.oldest_undelivered_age_seconds or 0.0, 3))])
        doc.metric("kiosk_outbox_last_delivery_timestamp_seconds",
                   "Unix time of the last delivery to the hospital (0 when none yet).",
                   [({}, round(status.last_delivery_at or 0.0, 3))])
    doc.metric("kiosk_outbox_readable", "1 when the outbox database could be read.",
               [({}, 1 if report.readable else 0)])
    doc.metric("kiosk_content_version", "Version of the content bundle shown (-1 when it cannot be loaded).",
               [({"bundle": content.bundle_id}, content.version if content.version is not None else -1)])
    if report.free_disk_bytes is not None:
        doc.metric("kiosk_disk_free_bytes", "Free bytes on the file system of the kiosk's data directory.",
                   [({}, report.free_disk_bytes)])
    doc.metric("kiosk_network_reachable", "1 when Qt reports the network reachable (online or site).",
               [({"reachability": report.reachability}, 1 if report.reachability in ("online", "site") else 0)])
    doc.metric("kiosk_health_checked_timestamp_seconds", "Unix time this file was written.",
               [({}, round(report.checked_at, 3))])
    return doc.text()


def _version_label(report: HealthReport) -> str:
    return "" if report.content.version is None else str(report.content.version)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a reader sees the old file or the new one, never a mix."""
    path = Path(path)
    # ".tmp" and a leading dot: the textfile collector reads only "*.prom".
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # node_exporter usually runs as its own user
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_report(path: Path, report: HealthReport) -> None:
    write_atomically(path, render_prometheus(report))


class PrometheusWriter(QObject):
    """Rewrites the textfile every ``interval_seconds`` while the kiosk runs."""

    def __init__(self, path: Path, interval_seconds: int, report: Callable[[], HealthReport],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self._report = report
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_seconds * 1000))
        self._timer.timeout.connect(self.write_now)
        self._last_failure = ""

    def start(self) -> None:
        self.write_now()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def write_now(self) -> bool:
        """Write the file now; False (logged once per kind of failure) if it could not be written."""
        try:
            write_report(self.path, self._report())
        except OSError as error:
            failure = f"{type(error).__name__} {error.errno}"
            if failure != self._last_failure:
                log.warning("cannot write the health file %s: %s", self.path, error.strerror or failure)
                self._last_failure = failure
            return False
        self._last_failure = ""
        return True
