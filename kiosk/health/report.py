"""What IT needs to know about one kiosk, and whether it is healthy.

A ``HealthReport`` is read from the real state on disk (the outbox database, the bundle store, the data
directory's file system), so ``kiosk health`` run beside a running kiosk and the kiosk's own admin screen
and Prometheus file all say the same thing. Building one never changes anything: a missing outbox file
counts as empty rather than being created (by whichever user happens to run the check).

Healthy unless a rule fails; each failed rule gives a ``Reason`` with a stable code (for alerts and
scripts) and a sentence for people.
"""

from __future__ import annotations

import shutil
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import __version__, paths
from kiosk.i18n import _, ngettext

if TYPE_CHECKING:
    from kiosk.bundle.store import BundleStore
    from kiosk.config import Config
    from kiosk.outbox.store import Outbox, OutboxStatus

# Reason codes, stable for alert rules.
OUTBOX_STALE = "outbox_stale"
NEEDS_ATTENTION = "needs_attention"
LOW_DISK = "low_disk"
CONTENT_UNLOADABLE = "content_unloadable"
OUTBOX_UNREADABLE = "outbox_unreadable"
OUTBOX_DAMAGED = "outbox_damaged"
OUTBOX_LOST = "outbox_lost"
OUTBOX_UNWRITABLE = "outbox_unwritable"
SPEECH_UNAVAILABLE = "speech_unavailable"

MB = 1024 * 1024


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class ContentInfo:
    """The content being shown: where it comes from and which edition it is."""

    source: str  # "installed" | "shipped" | "configured"
    bundle_id: str = ""
    version: int | None = None
    installed_name: str = ""  # the installed bundle's folder ("3-0a1b2c3d4e5f"), else ""
    path: str = ""
    error: str = ""  # why it cannot be loaded; "" when it can


@dataclass(frozen=True)
class HealthReport:
    checked_at: float
    kiosk_id: str
    app_version: str
    content: ContentInfo
    languages: tuple[str, ...]
    outbox: OutboxStatus | None
    outbox_error: str
    reachability: str
    data_dir: str
    free_disk_bytes: int | None
    last_bundle_event: dict[str, Any] | None
    last_bundle_error: str
    reasons: tuple[Reason, ...] = field(default=())
    outbox_condition: str = ""  # kiosk.outbox.inspection.Condition value when the outbox is unusable

    @property
    def healthy(self) -> bool:
        return not self.reasons

    @property
    def readable(self) -> bool:
        """False when the outbox could not be read: the figures are not to be trusted."""
        return not self.outbox_error

    def to_dict(self) -> dict[str, Any]:
        from kiosk.outbox.store import format_timestamp

        return {
            "healthy": self.healthy,
            "reasons": [asdict(reason) for reason in self.reasons],
            "checked_at": format_timestamp(self.checked_at),
            "kiosk_id": self.kiosk_id,
            "app_version": self.app_version,
            "content": asdict(self.content),
            "languages": list(self.languages),
            "outbox": None if self.outbox is None else self.outbox.to_dict(),
            "outbox_error": self.outbox_error or None,
            "outbox_condition": self.outbox_condition or None,
            "reachability": self.reachability,
            "data_dir": self.data_dir,
            "free_disk_bytes": self.free_disk_bytes,
            "last_bundle_event": self.last_bundle_event,
            "last_bundle_error": self.last_bundle_error or None,
        }


def build_report(
    config: Config,
    *,
    outbox: Outbox | None = None,
    store: BundleStore | None = None,
    reachability: str = "unknown",
    now: float | None = None,
) -> HealthReport:
    """Read everything and apply the rules. ``outbox``/``store``: the running kiosk's own, if any."""
    now = time.time() if now is None else now
    status, outbox_error, condition = read_outbox_status(outbox, now)
    content, event, bundle_error = read_content(config, store)
    data_dir = paths.home_dir()
    free = free_disk_bytes(data_dir)
    report = HealthReport(
        checked_at=now,
        kiosk_id=str(config["delivery.kiosk_id"]).strip() or socket.gethostname(),
        app_version=__version__,
        content=content,
        languages=tuple(config["languages.enabled"]),
        outbox=status,
        outbox_error=outbox_error,
        outbox_condition=condition,
        reachability=reachability,
        data_dir=str(data_dir),
        free_disk_bytes=free,
        last_bundle_event=event,
        last_bundle_error=bundle_error,
    )
    return _with_reasons(report, config)


def _with_reasons(report: HealthReport, config: Config) -> HealthReport:
    from dataclasses import replace

    reasons: list[Reason] = []
    status = report.outbox
    limit_minutes = int(config["health.max_undelivered_age_minutes"])
    if report.outbox_condition == "damaged":
        reasons.append(Reason(OUTBOX_DAMAGED, _(
            "The outbox is damaged and takes no requests: {error}").format(error=report.outbox_error)))
    elif report.outbox_condition == "lost":
        reasons.append(Reason(OUTBOX_LOST, _(
            "Stored requests are missing from the outbox: {error}").format(error=report.outbox_error)))
    elif report.outbox_condition == "unwritable":
        reasons.append(Reason(OUTBOX_UNWRITABLE, _(
            "The outbox cannot be written, so no requests are taken: {error}").format(error=report.outbox_error)))
    elif report.outbox_error:
        reasons.append(Reason(OUTBOX_UNREADABLE, _("The outbox cannot be read: {error}").format(
            error=report.outbox_error)))
    if status is not None:
        age = status.oldest_undelivered_age_seconds
        if age is not None and age > limit_minutes * 60:
            minutes = int(age // 60)
            reasons.append(Reason(OUTBOX_STALE, ngettext(
                "A request has waited {minutes} minute for delivery (limit {limit}).",
                "A request has waited {minutes} minutes for delivery (limit {limit}).",
                minutes).format(minutes=minutes, limit=limit_minutes)))
        if status.needs_attention:
            reasons.append(Reason(NEEDS_ATTENTION, ngettext(
                "{count} request was refused by the hospital's server and needs attention.",
                "{count} requests were refused by the hospital's server and need attention.",
                status.needs_attention).format(count=status.needs_attention)))
    minimum = int(config["health.min_free_disk_mb"]) * MB
    if report.free_disk_bytes is not None and report.free_disk_bytes < minimum:
        reasons.append(Reason(LOW_DISK, _("Only {free} MB free on the data disk (minimum {minimum} MB).").format(
            free=report.free_disk_bytes // MB, minimum=minimum // MB)))
    if report.content.error:
        reasons.append(Reason(CONTENT_UNLOADABLE, _("The content cannot be loaded: {error}").format(
            error=report.content.error)))
    speech = _speech_failure(config)
    if speech:
        reasons.append(Reason(SPEECH_UNAVAILABLE, _("Read aloud is unavailable: {reason}").format(reason=speech)))
    return replace(report, reasons=tuple(reasons))


def _speech_failure(config: Config) -> str:
    """Why the running kiosk (or the last one) has no voice, as its voice wrote it; "" when it has one."""
    from kiosk.speech.status import read_status

    if not config["speech.enabled"]:
        return ""
    status = read_status()
    if status is None or status.available:
        return ""
    return status.reason or "no voice"


def empty_status(now: float) -> OutboxStatus:
    from kiosk.outbox.store import OutboxStatus

    return OutboxStatus(0, 0, 0, 0, None, None, None, None, None, now)


def read_outbox_status(outbox: Outbox | None, now: float) -> tuple[OutboxStatus | None, str, str]:
    """The outbox's status, "" and "" or, when it cannot be used, None, why, and its condition.

    Without the kiosk's own outbox the file is judged read-only first: a damaged outbox is never
    opened for writing by a health check.
    """
    from kiosk.outbox.opening import check_outbox
    from kiosk.outbox.store import Outbox, OutboxError

    try:
        if outbox is not None:
            return outbox.status(), "", ""
        path = paths.outbox_db_path()
        inspection = check_outbox(path)
        if not inspection.condition.usable:
            return None, inspection.reason, inspection.condition.value
        if not path.exists():
            return empty_status(now), "", ""  # no request taken yet
        with Outbox(path, clock=lambda: now) as opened:
            return opened.status(), "", ""
    except OutboxError as error:
        return None, str(error), ""


def read_content(config: Config, store: BundleStore | None = None) -> tuple[ContentInfo, dict | None, str]:
    """The content shown, the bundle store's last event and its last refusal or error."""
    from kiosk.bundle.manifest import ManifestError, load_manifest
    from kiosk.bundle.signing import KeyFileError
    from kiosk.bundle.store import BundleStore, StoreError

    configured = str(config["content.directory"]).strip()
    event: dict | None = None
    bundle_error = ""
    source, root, installed_name = "shipped", paths.shipped_content_dir(), ""
    if configured:
        source, root = "configured", Path(configured)
    else:
        try:
            # A kiosk that never installed a bundle has no store: do not create one to look at it.
            if store is None and paths.bundles_dir().is_dir():
                store = BundleStore.from_config(config)
            if store is not None:
                active = store.active_root()
                if active is not None:
                    source, root, installed_name = "installed", active, store.active_name() or ""
        except (StoreError, KeyFileError, OSError) as error:
            bundle_error = str(error)
    if store is not None:
        events = store.last_events(50)
        event = events[-1] if events else None
        failures = [e for e in events if e.get("event") in ("refused", "marked-bad")]
        if failures and not bundle_error:
            bundle_error = _describe_bundle_failure(failures[-1])
    try:
        manifest = load_manifest(root)
        missing = [section for section in manifest.section_ids
                   if not (root / manifest.default_language / f"{section}.md").is_file()]
        problem = ""
        if missing:
            problem = _("Sections missing in the default language: {sections}").format(sections=", ".join(missing))
        info = ContentInfo(source, manifest.bundle_id, manifest.version, installed_name, str(root), problem)
    except (ManifestError, OSError) as failure:
        info = ContentInfo(source, path=str(root), installed_name=installed_name, error=str(failure))
    return info, event, bundle_error


def _describe_bundle_failure(event: dict[str, Any]) -> str:
    when = str(event.get("time", ""))
    if event.get("event") == "marked-bad":
        return f"{when} bundle {event.get('left', '?')} could not be shown and was marked bad"
    return f"{when} {Path(str(event.get('file', '?'))).name} refused: {event.get('message', '')}".strip()


def free_disk_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None
