"""Every limit and deadline of the reference receiver, with its default and its ``serve`` option.

The defaults hold a lobby's worth of kiosks and a flood of 1,000 simultaneous connections on a small
machine: at most ``max_connections`` are served at once (one thread each), the rest of the listen queue
is answered 503 with ``Retry-After`` at once, and a client that drips its request is cut off when
``request_deadline_seconds`` have passed however steadily it sends.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class ReceiverLimits:
    max_body_bytes: int = 256 * 1024
    max_connections: int = 64
    listen_backlog: int = 1024
    read_timeout_seconds: float = 10.0
    request_deadline_seconds: float = 30.0
    retry_after_seconds: int = 1
    refusal_queue: int = 1024
    max_json_depth: int = 32

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{item.name} must be a finite number, got {value!r}")
            if value <= 0:
                raise ValueError(f"{item.name} must be more than 0, got {value!r}")


# option name, field, type, help (the defaults are appended from ReceiverLimits)
_OPTIONS: tuple[tuple[str, str, type, str], ...] = (
    ("--max-body-bytes", "max_body_bytes", int, "largest request body accepted; larger ones get 413"),
    ("--max-connections", "max_connections", int,
     "connections served at once, one thread each; more are answered 503 with Retry-After"),
    ("--listen-backlog", "listen_backlog", int,
     "connections the system queues before the receiver accepts them (capped by net.core.somaxconn)"),
    ("--read-timeout", "read_timeout_seconds", float, "seconds one read or write on a connection may wait"),
    ("--request-deadline", "request_deadline_seconds", float,
     "seconds a client has to send its whole request (headers and body), however steadily it drips"),
    ("--retry-after", "retry_after_seconds", int, "Retry-After sent with 503 when every connection is busy"),
    ("--refusal-queue", "refusal_queue", int,
     "connections waiting for their 503 at most; beyond that a connection is closed unanswered"),
    ("--max-json-depth", "max_json_depth", int, "deepest nesting of arrays and objects accepted in a body"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = ReceiverLimits()
    for option, name, kind, text in _OPTIONS:
        parser.add_argument(option, dest=f"limit_{name}", type=kind, default=getattr(defaults, name),
                            metavar="N", help=f"{text} (default: %(default)s)")


def from_arguments(args: argparse.Namespace) -> ReceiverLimits:
    """The limits given on the command line; ``ValueError`` names a bad one."""
    return ReceiverLimits(**{name: getattr(args, f"limit_{name}") for _option, name, _kind, _text in _OPTIONS})
