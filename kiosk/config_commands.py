"""``kiosk config check FILE`` and ``kiosk config docs``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.config import ConfigError, load_config, render_docs


def register(subparsers: argparse._SubParsersAction) -> None:
    config = subparsers.add_parser("config", help="check a configuration file or print its reference")
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate a configuration file")
    check.add_argument("file", type=Path)
    check.set_defaults(func=_check)
    docs = actions.add_parser("docs", help="print docs/configuration.md generated from the declarations")
    docs.set_defaults(func=_docs)


def _check(args: argparse.Namespace) -> int:
    if not args.file.exists():
        print(f"kiosk: {args.file}: no such file", file=sys.stderr)
        return 2
    try:
        load_config(args.file, environ={})
    except ConfigError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 1
    print(f"{args.file}: ok")
    return 0


def _docs(_args: argparse.Namespace) -> int:
    print(render_docs())
    return 0
