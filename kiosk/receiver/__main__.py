"""``python -m kiosk.receiver ...``: the receiver's commands alone, without the kiosk's other parts.

Hospital IT can run the reference receiver on a machine that has no Qt display stack.
"""

from __future__ import annotations

import argparse
import logging
import sys

from kiosk.receiver import commands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.receiver")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.register(subparsers)
    # ``register`` adds the single "receiver" command; accept both "receiver serve" and "serve".
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] != "receiver":
        args_list.insert(0, "receiver")
    args = parser.parse_args(args_list)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
