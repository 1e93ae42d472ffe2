"""The admin PIN: stored only as a salted scrypt hash, checked in constant time, guessing slowed down.

The configuration holds ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``; the PIN itself is never written
anywhere. A PIN has few digits, so the hash alone would not stop someone with the configuration file
for long: what protects the kiosk is that guesses at the screen are rate-limited, and the lock-out is
kept in a file so that pulling the plug does not reset it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SCHEME = "scrypt"
# 16 MiB of memory and ~50 ms per check on a kiosk-class CPU: slow for a stolen config, quick at the screen.
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PIN_DIGITS = 4
MAX_PIN_DIGITS = 12

FREE_ATTEMPTS = 3
FIRST_LOCKOUT_SECONDS = 30.0
MAX_LOCKOUT_SECONDS = 15 * 60.0
STATE_FILE = "admin-lockout.json"


class PinError(ValueError):
    """A PIN or a stored hash that cannot be used; the message says why."""


def check_pin_format(pin: str) -> None:
    if not pin.isascii() or not pin.isdigit():
        raise PinError("the PIN must be digits only (it is typed on a number pad)")
    if not MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS:
        raise PinError(f"the PIN must have {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits")


def hash_pin(pin: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> str:
    """The configuration value for ``admin.pin_hash``."""
    check_pin_format(pin)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(pin, salt, n, r, p)
    return "$".join([SCHEME, str(n), str(r), str(p), _b64(salt), _b64(digest)])


@dataclass(frozen=True)
class PinHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    @classmethod
    def parse(cls, text: str) -> PinHash:
        parts = text.strip().split("$")
        if len(parts) != 6 or parts[0] != SCHEME:
            raise PinError("admin.pin_hash is not a value printed by 'kiosk admin hash-pin'")
        try:
            n, r, p = (int(part) for part in parts[1:4])
            salt, digest = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
        except ValueError as error:
            raise PinError("admin.pin_hash is damaged; make a new one with 'kiosk admin hash-pin'") from error
        if n < 2 or n & (n - 1) or r < 1 or p < 1 or not salt or not digest:
            raise PinError("admin.pin_hash has impossible scrypt parameters")
        return cls(n, r, p, salt, digest)

    def matches(self, pin: str) -> bool:
        candidate = _derive(pin, self.salt, self.n, self.r, self.p, len(self.digest))
        return hmac.compare_digest(candidate, self.digest)


def verify_pin(pin: str, stored: str) -> bool:
    return PinHash.parse(stored).matches(pin)


def _derive(pin: str, salt: bytes, n: int, r: int, p: int, length: int = HASH_BYTES) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=max(64 * 1024 * 1024, 256 * n * r))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def lockout_seconds(failures: int) -> float:
    """Lock-out after ``failures`` wrong PINs in a row: none for the first few, then doubling, capped."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_LOCKOUT_SECONDS, FIRST_LOCKOUT_SECONDS * 2 ** (failures - FREE_ATTEMPTS))


@dataclass(frozen=True)
class Attempt:
    accepted: bool
    locked_seconds: float  # > 0: refused (or just locked) for this long
    failures: int


class PinGate:
    """Checks PINs against the stored hash, with a lock-out that survives restarts.

    The lock-out is kept in memory as well as on disk: on a read-only or full data folder (exactly when
    staff need to get in and export) the PIN still works and the lock-out still holds, and the file is
    written as soon as the disk allows.
    """

    def __init__(self, stored_hash: str, state_path: Path, clock: Callable[[], float] = time.time) -> None:
        self._hash = PinHash.parse(stored_hash)
        self._path = state_path
        self._clock = clock
        self._remembered: tuple[int, float] | None = None  # what the file should say, if unwritten

    def remaining_lockout(self) -> float:
        _failures, locked_until = self._read()
        return max(0.0, locked_until - self._clock())

    def attempt(self, pin: str) -> Attempt:
        failures, locked_until = self._read()
        now = self._clock()
        if locked_until > now:
            # Not even hashed: while locked, guesses cost nothing and teach nothing.
            return Attempt(False, locked_until - now, failures)
        if self._hash.matches(pin):
            self._write(0, 0.0)
            return Attempt(True, 0.0, 0)
        failures += 1
        wait = lockout_seconds(failures)
        self._write(failures, now + wait if wait else 0.0)
        return Attempt(False, wait, failures)

    def _read(self) -> tuple[int, float]:
        if self._remembered is not None:
            self._write(*self._remembered)  # try again: the disk may have room or be writable by now
        if self._remembered is not None:
            failures, locked_until = self._remembered
            return failures, min(locked_until, self._clock() + MAX_LOCKOUT_SECONDS)
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            failures, locked_until = int(data["failures"]), float(data["locked_until"])
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, KeyError, TypeError):
            # A damaged file must not become a way to reset the counter: it counts as one lock-out step.
            failures, locked_until = FREE_ATTEMPTS, self._clock() + FIRST_LOCKOUT_SECONDS
            self._write(failures, locked_until)
            return failures, locked_until
        # A clock set far back must not lock staff out for days.
        return failures, min(locked_until, self._clock() + MAX_LOCKOUT_SECONDS)

    def _write(self, failures: int, locked_until: float) -> None:
        data = json.dumps({"failures": failures, "locked_until": locked_until}).encode("utf-8")
        temporary = self._path.with_name(self._path.name + ".tmp")
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self._path)
        except OSError as error:
            if self._remembered is None:
                log.warning("PIN lock-out kept in memory until %s can be written: %s", self._path, error)
            self._remembered = (failures, locked_until)
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return
        self._remembered = None
