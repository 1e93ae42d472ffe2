"""Ed25519 keys and signatures for bundles (PyNaCl).

The private key file holds the 32-byte seed in base64 after a comment line; it is created with mode 0600
and never overwritten (losing the key means re-keying every kiosk). Public keys travel as base64 text:
in ``bundles.trusted_keys`` on the kiosk, on the command line, or in a ``.pub`` file.

Signatures cover the *canonical JSON* of the signed manifest: sorted keys, no spaces, ASCII only, no
NaN. The envelope stores exactly those bytes, so verifying never depends on re-serialising.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

_KEY_HEADER = "# kiosk bundle signing key (Ed25519 seed, base64). Keep it secret; back it up offline.\n"


class KeyFileError(ValueError):
    """A key that cannot be read; the message names the file or value."""


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def key_id(public_key: VerifyKey) -> str:
    """Short fingerprint staff can compare by eye (first 16 hex digits of SHA-256 of the key)."""
    return hashlib.sha256(bytes(public_key)).hexdigest()[:16]


def public_key_text(public_key: VerifyKey) -> str:
    return base64.b64encode(bytes(public_key)).decode("ascii")


def generate_key(path: Path) -> SigningKey:
    """Create a new private key file (0600); refuses to replace an existing one."""
    key = SigningKey.generate()
    text = _KEY_HEADER + base64.b64encode(bytes(key)).decode("ascii") + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return key


def load_signing_key(path: Path) -> SigningKey:
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise KeyFileError(f"{path}: cannot read the signing key: {error}") from error
    body = "".join(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    raw = _b64(body, f"{path}: not a signing key file")
    if len(raw) != 32:
        raise KeyFileError(f"{path}: not a signing key file (expected a 32-byte Ed25519 seed)")
    return SigningKey(raw)


def parse_public_key(value: str) -> VerifyKey:
    """A public key from base64 text, or from a file holding it (``.pub`` or a key list)."""
    text = value.strip()
    candidate = Path(text)
    if len(text) != 44 and candidate.is_file():
        text = "".join(
            line.strip() for line in candidate.read_text(encoding="ascii").splitlines()
            if line.strip() and not line.startswith("#")
        )
    raw = _b64(text, f"not a base64 Ed25519 public key: {value!r}")
    if len(raw) != 32:
        raise KeyFileError(f"not an Ed25519 public key (need 32 bytes, got {len(raw)}): {value!r}")
    return VerifyKey(raw)


def sign(signed_bytes: bytes, key: SigningKey) -> dict[str, str]:
    signature = key.sign(signed_bytes).signature
    return {"keyid": key_id(key.verify_key), "sig": base64.b64encode(signature).decode("ascii")}


@dataclass(frozen=True)
class Verified:
    keyid: str


def verify(signed_bytes: bytes, signatures: Iterable[Any], trusted: Iterable[VerifyKey]) -> Verified | None:
    """The trusted key that signed ``signed_bytes``, or None. One valid trusted signature is enough."""
    by_id = {key_id(key): key for key in trusted}
    for entry in signatures:
        if not isinstance(entry, dict):
            continue
        key = by_id.get(str(entry.get("keyid", "")))
        sig_text = entry.get("sig")
        if key is None or not isinstance(sig_text, str):
            continue
        try:
            signature = base64.b64decode(sig_text, validate=True)
            key.verify(signed_bytes, signature)
        except (BadSignatureError, binascii.Error, ValueError):
            continue
        return Verified(key_id(key))
    return None


def _b64(text: str, message: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise KeyFileError(message) from error
