"""The ``kiosk`` command: ``kiosk`` alone runs the kiosk; subcommands serve staff and IT.

Each feature keeps its subcommands in its own ``commands`` module with a ``register(subparsers)``
function; this module only collects them, so the command works the same from source and frozen.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from kiosk import __version__

# Modules that contribute subcommands, in the order ``kiosk --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "kiosk.app_commands",
    "kiosk.config_commands",
    "kiosk.outbox.commands",
    "kiosk.receiver.commands",
    "kiosk.bundle.commands",
    "kiosk.health.commands",
    "kiosk.admin.commands",
)
SPEECH_HOST_COMMAND = "speech-host"
# What a shell reports for a command killed by SIGPIPE (128 + 13): `kiosk outbox status | head` stopped
# reading, which is not an error of the kiosk's.
BROKEN_PIPE_EXIT = 141


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Dystonia patient information kiosk. Without a subcommand: run the kiosk.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in modules:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # ``kiosk --windowed`` means ``kiosk run --windowed``: running is the default command.
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in {"-h", "--help", "--version"}):
        args_list.insert(0, "run")
    # Starting the kiosk is the hot path: skip importing every other command's modules.
    modules = COMMAND_MODULES[:1] if args_list[0] == "run" else COMMAND_MODULES
    if args_list[0] == SPEECH_HOST_COMMAND:  # the kiosk's own voice process (kiosk.speech.host), not for people
        modules = ("kiosk.speech.host",)
    parser = build_parser(modules)
    args = parser.parse_args(args_list)
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # here, where a closed pipe can still be caught, not at interpreter exit
    except BrokenPipeError:
        # Python would complain again when it flushes stdout on exit: point it at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE_EXIT
    return status

