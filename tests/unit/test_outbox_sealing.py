"""Sealing: the kiosk can encrypt to the hospital but never read back what it sealed."""

from __future__ import annotations

import base64

import pytest

from kiosk.outbox.sealing import SealingError, generate_keypair, seal
from kiosk.receiver.opening import OpeningError, open_sealed


def test_sealed_data_opens_only_with_the_matching_private_key() -> None:
    private, public = generate_keypair()
    other_private, _ = generate_keypair()
    envelope = seal(b"Ay\xc5\x9fe +905321234567", public)
    assert b"905321234567" not in envelope
    assert open_sealed(envelope, private) == b"Ay\xc5\x9fe +905321234567"
    with pytest.raises(OpeningError):
        open_sealed(envelope, other_private)


def test_each_seal_is_different_so_equal_requests_cannot_be_matched() -> None:
    _, public = generate_keypair()
    assert seal(b"same", public) != seal(b"same", public)


def test_a_tampered_envelope_is_refused() -> None:
    private, public = generate_keypair()
    envelope = bytearray(seal(b"data", public))
    envelope[-1] ^= 1
    with pytest.raises(OpeningError):
        open_sealed(bytes(envelope), private)


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("", "empty"),
        ("not base64 !!", "base64"),
        (base64.b64encode(b"short").decode(), "32 bytes"),
    ],
)
def test_a_malformed_public_key_is_a_clear_sealing_error(key: str, hint: str) -> None:
    with pytest.raises(SealingError, match=hint):
        seal(b"x", key)


def test_keys_are_base64_of_32_bytes() -> None:
    private, public = generate_keypair()
    assert len(base64.b64decode(private)) == 32
    assert len(base64.b64decode(public)) == 32
    assert private != public
