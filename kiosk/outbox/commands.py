"""``kiosk outbox status|export|retry``: the outbox for IT and staff, without the kiosk running.

Safe while the kiosk runs: SQLite's WAL lets these commands read alongside the kiosk, and ``retry``'s
single short write waits for the kiosk's lock.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kiosk import paths
from kiosk.config import ConfigError, load_config
from kiosk.outbox.store import Outbox, OutboxError, OutboxStatus, delivery_lines, format_age, format_timestamp


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("outbox", help="consultation requests waiting for delivery")
    commands = parser.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)

    status = commands.add_parser("status", help="queue depth, oldest undelivered request, last delivery")
    _common(status)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=_status)

    export = commands.add_parser(
        "export", help="copy undelivered (sealed) requests to a folder, e.g. a USB stick for the hospital"
    )
    _common(export)
    export.add_argument("--to", type=Path, required=True, metavar="DIR", help="folder to write to")
    export.set_defaults(func=_export)

    retry = commands.add_parser("retry", help="send requests that need attention again (after a fix)")
    _common(retry)
    retry.set_defaults(func=_retry)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None,
                        help="configuration file (default: KIOSK_CONFIG or the platform's config folder)")
    parser.add_argument("--db", type=Path, default=None, help="outbox database (default: the kiosk's)")


def _open(args: argparse.Namespace) -> tuple[Outbox, str]:
    config = load_config(args.config or paths.default_config_path())
    return Outbox(args.db or paths.outbox_db_path()), str(config["delivery.kiosk_id"])


def _fail(message: str) -> int:
    print(f"kiosk outbox: {message}", file=sys.stderr)
    return 2


def _status(args: argparse.Namespace) -> int:
    try:
        outbox, _kiosk_id = _open(args)
    except (OutboxError, ConfigError) as error:
        return _fail(str(error))
    with outbox:
        status = outbox.status()
        parked = outbox.needs_attention()
    if args.json:
        data = status.to_dict()
        data["needs_attention_requests"] = [
            {"id": item.id, "reference": item.reference, "created_at": format_timestamp(item.created_at),
             "reason": item.last_error} for item in parked
        ]
        print(json.dumps(data, indent=2))
        return 0
    print(_describe(status))
    for item in parked:
        print(f"  needs attention: {item.reference} ({format_timestamp(item.created_at)}): {item.last_error}")
    return 0


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


def _export(args: argparse.Namespace) -> int:
    try:
        outbox, kiosk_id = _open(args)
    except (OutboxError, ConfigError) as error:
        return _fail(str(error))
    with outbox:
        try:
            result = outbox.export(args.to, kiosk_id=kiosk_id)
        except OutboxError as error:
            return _fail(str(error))
    print(f"exported {result.count} sealed request(s) to {result.directory} at "
          f"{format_timestamp(time.time())}; the hospital imports them with 'kiosk receiver import'")
    return 0


def _retry(args: argparse.Namespace) -> int:
    try:
        outbox, _kiosk_id = _open(args)
    except (OutboxError, ConfigError) as error:
        return _fail(str(error))
    with outbox:
        try:
            count = outbox.requeue_needs_attention()
        except OutboxError as error:
            return _fail(str(error))
    print(f"{count} request(s) queued again; a running kiosk sends them at its next attempt")
    return 0
