"""Rotating log files in the data directory, with no personal data in them.

What keeps patients' data out is the code: log calls name requests by their reference code and state
what happened in the kiosk's own words, never with the values a patient typed or text a server sent
back. Two safety nets stand behind that, because a missed case would be a privacy breach:

* tracebacks are written without exception messages (an exception's text may quote the value that
  failed), only the exception type and where it happened; except for errors that declare their
  messages safe (``safe_to_log``: configuration errors, which name a file, a line and a setting), whose
  messages go through the mask below;
* a filter masks anything that looks like an e-mail address or a phone number.

Uncaught exceptions (including those raised in Qt slots, which PySide6 reports through
``sys.excepthook``) go to the log the same way instead of to stderr.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

from kiosk import paths

LOG_FILE = "kiosk.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_EMAIL = re.compile(r"[^\s@<>()\"',;]+@[^\s@<>()\"',;]+\.[A-Za-z]{2,}")
# Seven or more digits with the usual separators: phone numbers, whatever their country's grouping.
_PHONE = re.compile(r"(?<![\w.])[+(]?\d(?:[\s().-]{0,2}\d){6,}(?![\w.])")
MASK = "[removed]"


class PersonalDataFilter(logging.Filter):
    """Masks e-mail addresses and phone numbers in a record's final text (a net, not the defence)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call must not lose the record, nor leak its arguments
            message = str(record.msg)
        cleaned = mask_personal_data(message)
        record.msg, record.args = cleaned, None
        return True


def mask_personal_data(text: str) -> str:
    return _PHONE.sub(MASK, _EMAIL.sub(MASK, text))


class NoMessageFormatter(logging.Formatter):
    """Formats tracebacks with frames and exception types but without the exceptions' messages."""

    def format(self, record: logging.LogRecord) -> str:
        # Not ``super().format``: it reuses ``record.exc_text`` when another handler formatted the record
        # first, with that handler's formatter, messages included.
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        text = self.formatMessage(record)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return text

    def formatException(self, ei: Any) -> str:
        kind, value, tb = ei
        return describe_exception(kind, value, tb)


def describe_exception(kind: type[BaseException] | None, value: BaseException | None,
                       tb: TracebackType | None) -> str:
    lines = ["Traceback (most recent call last):"]
    lines += [f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}'
              for frame in traceback.extract_tb(tb)]
    name = kind.__qualname__ if kind is not None else "unknown error"
    if value is not None and getattr(value, "safe_to_log", False):
        lines.append(f"{name}: {mask_personal_data(str(value))}")
    else:
        lines.append(f"{name} (message not logged)")
    cause = value.__cause__ if value is not None else None
    if cause is not None:
        lines.append(f"caused by {type(cause).__qualname__}")
    return "\n".join(lines)


def log_path() -> Path:
    return paths.logs_dir() / LOG_FILE


def setup_logging(config: Any, level: int = logging.INFO) -> logging.Handler:
    """Send every log record to the rotating file and route uncaught exceptions there too.

    Returns the handler so that ``teardown_logging`` can remove it (tests, a second start in one process).
    """
    handler = RotatingFileHandler(
        log_path(), maxBytes=int(config["logs.max_kb"]) * 1024, backupCount=int(config["logs.keep"]),
        encoding="utf-8", delay=True,
    )
    handler.setFormatter(NoMessageFormatter(FORMAT))
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    handler.previous_root_level = root.level  # type: ignore[attr-defined]
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    sys.excepthook = _log_uncaught
    return handler


def teardown_logging(handler: logging.Handler) -> None:
    root = logging.getLogger()
    root.removeHandler(handler)
    root.setLevel(getattr(handler, "previous_root_level", root.level))
    handler.close()
    if sys.excepthook is _log_uncaught:
        sys.excepthook = sys.__excepthook__


def _log_uncaught(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    # stderr may end up in the journal: it gets the type only, the log file the frames as well.
    logging.getLogger("kiosk").error("uncaught exception", exc_info=(kind, value, tb))
    print(f"kiosk: uncaught {kind.__qualname__}; see {log_path()}", file=sys.stderr)
