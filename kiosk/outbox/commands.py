"""``kiosk outbox status|export|retry|acknowledge``: the outbox for IT and staff, without the kiosk running.

Safe while the kiosk runs: the outbox is judged read-only first (``kiosk.outbox.opening.check_outbox``),
SQLite's WAL lets these commands read alongside the kiosk, and ``retry``'s single short write waits for
the kiosk's lock. A damaged outbox is never opened for writing: ``status`` and ``export`` read what can
be salvaged from copies, from the file in place and from every quarantined set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kiosk import paths
from kiosk.config import ConfigError, load_config
from kiosk.outbox.events import record_event
from kiosk.outbox.inspection import Condition, Inspection, companion
from kiosk.outbox.opening import check_outbox, real_outbox_path
from kiosk.outbox.quarantine import acknowledge, pending_sets
from kiosk.outbox.salvage import SalvageResult, salvage
from kiosk.outbox.store import (
    Envelope,
    Outbox,
    OutboxError,
    OutboxStatus,
    delivery_lines,
    format_age,
    format_timestamp,
    write_export,
)

EXIT_UNAVAILABLE = 1  # status: the outbox cannot take requests (monitoring can alert on it)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("outbox", help="consultation requests waiting for delivery")
    commands = parser.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)

    status = commands.add_parser("status", help="queue depth, oldest undelivered request, last delivery, damage")
    _common(status)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=_status)

    export = commands.add_parser(
        "export", help="copy undelivered (sealed) requests to a folder, e.g. a USB stick for the hospital; "
                       "from a damaged or quarantined outbox, every envelope that can still be read"
    )
    _common(export)
    export.add_argument("--to", type=Path, required=True, metavar="DIR", help="folder to write to")
    export.set_defaults(func=_export)

    retry = commands.add_parser("retry", help="send requests that need attention again (after a fix)")
    _common(retry)
    retry.set_defaults(func=_retry)

    acknowledge_parser = commands.add_parser(
        "acknowledge", help="after exporting a damaged outbox: let the kiosk start a new, empty one "
                            "(the damaged files stay in outbox-quarantine)"
    )
    _common(acknowledge_parser)
    acknowledge_parser.set_defaults(func=_acknowledge)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None,
                        help="configuration file (default: KIOSK_CONFIG or the platform's config folder)")
    parser.add_argument("--db", type=Path, default=None, help="outbox database (default: the kiosk's)")


def _database(args: argparse.Namespace) -> Path:
    return real_outbox_path(args.db or paths.outbox_db_path())


def _kiosk_id(args: argparse.Namespace) -> str:
    return str(load_config(args.config or paths.default_config_path())["delivery.kiosk_id"])


def _fail(message: str) -> int:
    print(f"kiosk outbox: {message}", file=sys.stderr)
    return 2


def _open_healthy(path: Path, inspection: Inspection) -> Outbox | None:
    """The live outbox for reading when it is fit to open; None when there is none yet."""
    if inspection.condition is Condition.NEW and not path.exists():
        return None
    return Outbox(path)


def _has_outbox_files(database: Path) -> bool:
    return database.exists() or companion(database, "-wal").exists()


def _salvage_sources(path: Path, inspection: Inspection) -> list[SalvageResult]:
    results = [salvage(item.database) for item in pending_sets(path) if _has_outbox_files(item.database)]
    if not inspection.condition.usable and _has_outbox_files(path):
        results.append(salvage(path))
    return results


def _status(args: argparse.Namespace) -> int:
    try:
        _kiosk_id(args)  # a broken configuration is reported here too, not only when the kiosk starts
    except ConfigError as error:
        return _fail(str(error))
    path = _database(args)
    inspection = check_outbox(path)
    status = None
    parked = []
    if inspection.condition.usable:
        try:
            outbox = _open_healthy(path, inspection)
        except OutboxError as error:
            return _fail(str(error))
        if outbox is not None:
            with outbox:
                status, parked = outbox.status(), outbox.needs_attention()
    salvaged = _salvage_sources(path, inspection)
    if args.json:
        data = {} if status is None else status.to_dict()
        data["condition"] = inspection.condition.value
        data["problem"] = inspection.reason or None
        data["missing_requests"] = inspection.missing
        data["needs_attention_requests"] = [
            {"id": item.id, "reference": item.reference, "created_at": format_timestamp(item.created_at),
             "reason": item.last_error} for item in parked
        ]
        data["salvageable"] = [{"source": str(item.source), "envelopes": len(item.envelopes),
                                "damaged_envelopes": item.damaged_envelopes, "notes": item.notes}
                               for item in salvaged]
        print(json.dumps(data, indent=2))
    else:
        if not inspection.condition.usable:
            print(f"OUTBOX UNAVAILABLE ({inspection.condition.value}): {inspection.reason}")
        if status is not None:
            print(_describe(status))
        elif inspection.condition.usable:
            print("queued: 0 (no request taken yet)")
        for item in parked:
            print(f"  needs attention: {item.reference} ({format_timestamp(item.created_at)}): {item.last_error}")
        for salvage_result in salvaged:
            print(f"salvageable from {salvage_result.source}: {salvage_result.describe()}")
    return 0 if inspection.condition.usable else EXIT_UNAVAILABLE


def _describe(status: OutboxStatus) -> str:
    lines = [
        f"queued: {status.queued}",
        f"sending: {status.sending}",
        f"needs attention: {status.needs_attention}",
        f"delivered (kept for the retention period): {status.delivered}",
    ]
    if status.oldest_undelivered_at is not None:
        age = format_age(status.oldest_undelivered_age_seconds or 0.0)
        lines.append(f"oldest undelivered: {format_timestamp(status.oldest_undelivered_at)} ({age} ago)")
    else:
        lines.append("oldest undelivered: none")
    lines += delivery_lines(status)
    return "\n".join(lines)


def export_everything(path: Path, target: Path, kiosk_id: str) -> tuple[int, list[str]]:
    """Export the live outbox's envelopes, or all that can be salvaged; (count, notes for staff)."""
    path = real_outbox_path(path)
    inspection = check_outbox(path)
    envelopes: dict[str, Envelope] = {}
    notes: list[str] = []
    if inspection.condition.usable:
        outbox = _open_healthy(path, inspection)
        if outbox is not None:
            with outbox:
                for envelope in outbox.envelopes():
                    envelopes[envelope.id] = envelope
    else:
        notes.append(f"outbox {inspection.condition.value}: {inspection.reason}")
    for salvaged in _salvage_sources(path, inspection):
        notes.append(f"{salvaged.source}: {salvaged.describe()}")
        for envelope in salvaged.envelopes:
            envelopes.setdefault(envelope.id, envelope)
    ordered = sorted(envelopes.values(), key=lambda envelope: envelope.created_at)
    exported = write_export(target, ordered, kiosk_id=kiosk_id, notes=notes)
    return exported.count, notes


def _export(args: argparse.Namespace) -> int:
    try:
        count, notes = export_everything(_database(args), args.to, _kiosk_id(args))
    except (OutboxError, ConfigError) as error:
        return _fail(str(error))
    for note in notes:
        print(note)
    print(f"exported {count} sealed request(s) to {args.to} at "
          f"{format_timestamp(time.time())}; the hospital imports them with 'kiosk receiver import'")
    return 0


def _retry(args: argparse.Namespace) -> int:
    try:
        _kiosk_id(args)
    except ConfigError as error:
        return _fail(str(error))
    path = _database(args)
    inspection = check_outbox(path)
    if not inspection.condition.usable:
        return _fail(f"the outbox is unavailable: {inspection.reason}")
    try:
        outbox = Outbox(path)
    except OutboxError as error:
        return _fail(str(error))
    with outbox:
        try:
            count = outbox.requeue_needs_attention()
        except OutboxError as error:
            return _fail(str(error))
    print(f"{count} request(s) queued again; a running kiosk sends them at its next attempt")
    return 0


def _acknowledge(args: argparse.Namespace) -> int:
    path = _database(args)
    pending = pending_sets(path)
    if not pending:
        inspection = check_outbox(path)
        if inspection.condition.quarantined:
            return _fail(f"{inspection.reason}; start the kiosk once so it moves the files aside, then export")
        print("nothing to acknowledge: no quarantined outbox is waiting")
        return 0
    try:
        for item in pending:
            acknowledge(item)
            record_event(path, "acknowledged", folder=str(item.folder))
            print(f"acknowledged {item.folder}: {item.reason}")
    except OSError as error:
        return _fail(f"could not record the acknowledgement: {error}")
    print("the kiosk starts a new, empty outbox at its next start")
    return 0
