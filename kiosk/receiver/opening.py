"""Opening a sealed envelope: the hospital side of ``kiosk.outbox.sealing``."""

from __future__ import annotations

from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from kiosk.outbox.sealing import SealingError, decode_private_key


class OpeningError(ValueError):
    """The envelope cannot be opened with this key (wrong key, or damaged/forged envelope)."""


def open_sealed(envelope: bytes, private_key: str | PrivateKey) -> bytes:
    """The plaintext of ``envelope``; ``private_key`` is base64 text or a loaded key."""
    key = decode_private_key(private_key) if isinstance(private_key, str) else private_key
    try:
        return bytes(SealedBox(key).decrypt(envelope))
    except CryptoError as error:
        raise OpeningError("the envelope cannot be opened with this private key") from error


def read_private_key_file(path: Path) -> PrivateKey:
    """Load a key file written by ``kiosk receiver keygen``; ``SealingError`` says what is wrong."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise SealingError(f"cannot read the private key file {path}: {error}") from error
    return decode_private_key(text.strip())
