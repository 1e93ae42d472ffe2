"""``kiosk health [--json] [--prometheus FILE]``: the kiosk's health for IT and monitoring.

Exit codes: 0 healthy, 1 unhealthy (the reasons are printed), 2 the state could not be read (bad
configuration, unreadable outbox). With ``--prometheus`` the exit code says whether the file was written
(0) or not (2): a systemd timer should not fail because the kiosk is unhealthy, the alert rules see that.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk import paths
from kiosk.config import ConfigError, load_config
from kiosk.health.report import HealthReport

HEALTHY, UNHEALTHY, UNREADABLE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("health", help="health for monitoring; exit 0 healthy, 1 unhealthy, 2 unreadable")
    parser.add_argument("--config", type=Path, default=None,
                        help="configuration file (default: KIOSK_CONFIG or the platform's config folder)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--prometheus", type=Path, default=None, metavar="FILE",
                        help="write the Prometheus textfile once (for a timer) instead of printing")
    parser.set_defaults(func=_health)


def _fail(message: str) -> int:
    print(f"kiosk health: {message}", file=sys.stderr)
    return UNREADABLE


def _health(args: argparse.Namespace) -> int:
    from kiosk.health.reachability import current_reachability
    from kiosk.health.report import build_report

    try:
        config = load_config(args.config or paths.default_config_path())
    except ConfigError as error:
        if args.json:
            print(json.dumps({"healthy": False, "error": str(error)}))
        return _fail(str(error))
    _ensure_core_application()
    report = build_report(config, reachability=current_reachability())
    if args.prometheus is not None:
        from kiosk.health.prometheus import write_report

        try:
            write_report(args.prometheus, report)
        except OSError as error:
            return _fail(f"cannot write {args.prometheus}: {error}")
        return HEALTHY if report.readable else UNREADABLE
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(describe(report))
    if not report.readable:
        return UNREADABLE
    return HEALTHY if report.healthy else UNHEALTHY


def _ensure_core_application() -> None:
    # QNetworkInformation needs an application object; a core one needs no display.
    from PySide6.QtCore import QCoreApplication

    if QCoreApplication.instance() is None:
        _ensure_core_application.app = QCoreApplication([paths.APP_NAME])  # type: ignore[attr-defined]


def describe(report: HealthReport) -> str:
    from kiosk.outbox.store import delivery_lines, format_age

    lines = ["healthy" if report.healthy else "UNHEALTHY"]
    lines += [f"  problem ({reason.code}): {reason.message}" for reason in report.reasons]
    content = report.content
    edition = f"{content.bundle_id} version {content.version}" if content.version is not None else "unreadable"
    lines.append(f"kiosk: {report.kiosk_id} (app {report.app_version})")
    where = f"{content.source}, {content.installed_name}" if content.installed_name else content.source
    lines.append(f"content: {edition} ({where})")
    lines.append(f"languages: {', '.join(report.languages)}")
    status = report.outbox
    if status is None:
        lines.append(f"outbox: unreadable: {report.outbox_error}")
    else:
        lines.append(f"outbox: queued {status.queued}, sending {status.sending}, "
                     f"needs attention {status.needs_attention}, delivered {status.delivered}")
        age = status.oldest_undelivered_age_seconds
        lines.append("oldest undelivered: " + ("none" if age is None else f"{format_age(age)} ago"))
        lines += delivery_lines(status)
    lines.append(f"network: {report.reachability}")
    free = report.free_disk_bytes
    lines.append(f"free disk: {'unknown' if free is None else f'{free / 1024 ** 3:.1f} GB'} ({report.data_dir})")
    if report.last_bundle_event is not None:
        event = report.last_bundle_event
        lines.append(f"last bundle event: {event.get('time', '')} {event.get('event', '')}")
    if report.last_bundle_error:
        lines.append(f"last bundle error: {report.last_bundle_error}")
    return "\n".join(lines)

