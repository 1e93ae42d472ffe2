"""The admin PIN: salted scrypt hashes, constant-time checks, and a lock-out that survives restarts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.admin.pin import (
    FREE_ATTEMPTS,
    MAX_LOCKOUT_SECONDS,
    PinError,
    PinGate,
    PinHash,
    hash_pin,
    lockout_seconds,
    verify_pin,
)
from tests.conftest import REPO_ROOT

# Small scrypt parameters keep the many hashes below quick; the format and the check are the same.
FAST = {"n": 2**8, "r": 8, "p": 1}


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_hash_is_salted_and_verifies_only_the_right_pin():
    first, second = hash_pin("482916"), hash_pin("482916")
    assert first != second, "a fresh salt every time"
    assert first.startswith("scrypt$16384$8$1$")
    assert "482916" not in first
    assert verify_pin("482916", first) and verify_pin("482916", second)
    assert not verify_pin("482917", first)
    assert not verify_pin("", first)


@pytest.mark.parametrize("pin", ["12a4", "123", "1234567890123", "١٢٣٤", " 1234"])
def test_pins_must_be_four_to_twelve_ascii_digits(pin):
    with pytest.raises(PinError):
        hash_pin(pin)


@pytest.mark.parametrize("stored", ["", "1234", "scrypt$x$8$1$AA==$AA==", "bcrypt$16384$8$1$AA==$AA==",
                                    "scrypt$1000$8$1$AA==$AA==", "scrypt$16384$8$1$!!$AA=="])
def test_a_damaged_hash_is_an_error_not_an_open_door(stored):
    with pytest.raises(PinError):
        PinHash.parse(stored)


def test_lockout_grows_and_is_capped():
    assert [lockout_seconds(n) for n in range(FREE_ATTEMPTS)] == [0.0] * FREE_ATTEMPTS
    assert lockout_seconds(FREE_ATTEMPTS) == 30.0
    assert lockout_seconds(FREE_ATTEMPTS + 1) == 60.0
    assert lockout_seconds(FREE_ATTEMPTS + 2) == 120.0
    assert lockout_seconds(FREE_ATTEMPTS + 20) == MAX_LOCKOUT_SECONDS == 900.0


def test_wrong_pins_lock_out_and_the_lockout_survives_a_new_gate(tmp_path):
    clock = Clock()
    stored = hash_pin("2468", **FAST)
    state = tmp_path / "lockout.json"
    gate = PinGate(stored, state, clock=clock)
    for expected_failures in (1, 2):
        attempt = gate.attempt("1111")
        assert not attempt.accepted and attempt.locked_seconds == 0 and attempt.failures == expected_failures
    third = gate.attempt("1111")
    assert not third.accepted and third.locked_seconds == 30.0
    # The kiosk restarts (power cut): the new gate reads the same file.
    restarted = PinGate(stored, state, clock=clock)
    assert restarted.remaining_lockout() == 30.0
    refused = restarted.attempt("2468")
    assert not refused.accepted, "even the right PIN is refused while locked out"
    clock.now += 31
    assert restarted.remaining_lockout() == 0
    fourth = restarted.attempt("0000")
    assert fourth.locked_seconds == 60.0, "the next wrong PIN doubles the wait"
    clock.now += 61
    assert restarted.attempt("2468").accepted
    assert PinGate(stored, state, clock=clock).attempt("1111").locked_seconds == 0, "success resets the count"


def test_a_damaged_lockout_file_locks_rather_than_resets(tmp_path):
    clock = Clock()
    state = tmp_path / "lockout.json"
    state.write_text("{not json", encoding="utf-8")
    gate = PinGate(hash_pin("2468", **FAST), state, clock=clock)
    assert gate.remaining_lockout() == 30.0
    clock.now += 31
    assert gate.attempt("2468").accepted


def test_a_clock_set_back_cannot_lock_staff_out_for_longer_than_the_cap(tmp_path):
    clock = Clock()
    state = tmp_path / "lockout.json"
    state.write_text('{"failures": 9, "locked_until": 9999999999999}', encoding="utf-8")
    assert PinGate(hash_pin("2468", **FAST), state, clock=clock).remaining_lockout() == MAX_LOCKOUT_SECONDS


def test_hash_pin_command_reads_stdin_and_prints_the_config_line():
    done = subprocess.run([sys.executable, "-m", "kiosk", "admin", "hash-pin"], input="975310\n", cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "975310" not in done.stdout
    line = next(text for text in done.stdout.splitlines() if text.startswith("pin_hash = "))
    assert verify_pin("975310", line.split('"')[1])
    refused = subprocess.run([sys.executable, "-m", "kiosk", "admin", "hash-pin"], input="12\n", cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 2 and "pin_hash" not in refused.stdout
