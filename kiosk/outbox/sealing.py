"""Encrypting a request to the hospital's public key (libsodium sealed box).

A sealed box uses a fresh ephemeral key per message, so the kiosk holds nothing that can open what it
queued: a stolen kiosk, or a copy of its outbox, leaks no patient data. Opening lives in
``kiosk.receiver.opening``, on the hospital's side only.
"""

from __future__ import annotations

import base64
import binascii

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

KEY_BYTES = 32


class SealingError(ValueError):
    """A key that is not a base64 Curve25519 key; the message says which setting to fix."""


def load_public_key(public_key_b64: str) -> PublicKey:
    return PublicKey(_decode_key(public_key_b64, "public"))


def seal(plaintext: bytes, public_key_b64: str) -> bytes:
    """``plaintext`` encrypted so only the holder of the matching private key can read it."""
    return seal_with(plaintext, load_public_key(public_key_b64))


def seal_with(plaintext: bytes, public_key: PublicKey) -> bytes:
    try:
        return bytes(SealedBox(public_key).encrypt(plaintext))
    except CryptoError as error:  # pragma: no cover - libsodium only fails here on a broken build
        raise SealingError(f"sealing failed: {error}") from error


def generate_keypair() -> tuple[str, str]:
    """A new hospital key pair as ``(private_b64, public_b64)``."""
    private = PrivateKey.generate()
    return (
        base64.b64encode(bytes(private)).decode("ascii"),
        base64.b64encode(bytes(private.public_key)).decode("ascii"),
    )


def _decode_key(value: str, kind: str) -> bytes:
    text = (value or "").strip()
    if not text:
        raise SealingError(f"no {kind} key configured (delivery.hospital_public_key is empty)"
                           if kind == "public" else f"no {kind} key given")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SealingError(f"the {kind} key is not valid base64: {error}") from error
    if len(raw) != KEY_BYTES:
        raise SealingError(
            f"the {kind} key must be {KEY_BYTES} bytes (44 base64 characters), got {len(raw)} bytes"
        )
    return raw


def decode_private_key(private_key_b64: str) -> PrivateKey:
    """For the receiver: the private key from base64, with the same clear errors."""
    return PrivateKey(_decode_key(private_key_b64, "private"))
