"""The ``.kbundle`` file: a signed header followed by the payload archive, every byte authenticated.

Layout (the first lines are readable with ``head -c 2000 file.kbundle``)::

    KBUNDLE1\\n
    <signed manifest, canonical JSON, one line>\\n
    <signatures, JSON list of {"keyid", "sig"}, one line>\\n
    <payload: a zip archive of exactly payload.size bytes>

Why a header in front of the zip rather than a manifest *inside* it: a zip has bytes that belong to no
member (local headers, extra fields, the central directory, the comment). Signing only the members would
let one flipped byte there pass, and would make the kiosk parse attacker-controlled zip structures before
knowing who made them. Here the signature covers the manifest, the manifest covers the payload's SHA-256
and size, and the file must end exactly where the payload ends, so one changed, added or removed byte
anywhere is refused, and the zip parser only ever sees bytes that a trusted key vouched for (it still
checks them as if hostile: see ``payload``).

The zip (rather than tar) holds the files because it is indexed: sizes, types and offsets of every member
are known before anything is decompressed, so limits and overlaps are checked up front, and staff can
open the payload with any archive tool. Its zip-specific hazards are handled in ``payload``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey, VerifyKey

from kiosk.bundle.errors import BundleRefused, Limits
from kiosk.bundle.fsutil import fsync_dir
from kiosk.bundle.signedmanifest import SignedManifest, parse_signed_manifest
from kiosk.bundle.signing import canonical_json, key_id, sign, verify

MAGIC = b"KBUNDLE1\n"
SUFFIX = ".kbundle"
MAX_SIGNATURE_LINE = 64 * 1024
_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Envelope:
    """The framing of a bundle file, read but not yet believed."""

    path: Path
    signed_bytes: bytes
    signatures_line: bytes
    signatures: tuple[Any, ...]
    payload_offset: int
    file_size: int


@dataclass(frozen=True)
class Verified:
    envelope: Envelope
    manifest: SignedManifest
    keyid: str


def read_envelope(path: Path, limits: Limits) -> Envelope:
    try:
        size = path.stat().st_size
        if size > limits.max_download_bytes:
            raise BundleRefused(
                "download-too-big",
                f"{path.name} is {size} bytes, over the limit of {limits.max_download_bytes}",
            )
        with path.open("rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                raise BundleRefused("format", f"{path.name} is not a kiosk bundle (no KBUNDLE1 header)")
            signed_line = handle.readline(limits.max_header_bytes + 1)
            signatures_line = handle.readline(MAX_SIGNATURE_LINE + 1)
            offset = handle.tell()
    except OSError as error:
        raise BundleRefused("unreadable", f"cannot read {path}: {error}") from error
    for line, what in ((signed_line, "manifest"), (signatures_line, "signature")):
        if not line.endswith(b"\n"):
            raise BundleRefused("format", f"{path.name}: the {what} line is missing, cut short or too long")
    try:
        signatures = _strict_json(signatures_line[:-1])
    except ValueError as error:
        raise BundleRefused("format", f"{path.name}: the signature line is not valid JSON") from error
    if not isinstance(signatures, list):
        raise BundleRefused("format", f"{path.name}: the signature line is not a list")
    return Envelope(path, signed_line[:-1], signatures_line, tuple(signatures), offset, size)


def verify_envelope(envelope: Envelope, trusted: Iterable[VerifyKey]) -> Verified:
    """Check the signature first, and only then parse what it covers."""
    trusted = list(trusted)
    name = envelope.path.name
    if not envelope.signatures:
        raise BundleRefused("unsigned", f"{name} carries no signature")
    if not trusted:
        raise BundleRefused("untrusted-key", "this kiosk trusts no signing key (set bundles.trusted_keys)")
    result = verify(envelope.signed_bytes, envelope.signatures, trusted)
    if result is None:
        trusted_ids = {key_id(key) for key in trusted}
        claimed = [str(s.get("keyid")) for s in envelope.signatures if isinstance(s, dict)]
        if not trusted_ids.intersection(claimed):
            raise BundleRefused(
                "untrusted-key",
                f"{name} is signed by key {', '.join(claimed) or '?'}, which this kiosk does not trust",
            )
        raise BundleRefused("bad-signature", f"{name}: the signature does not match (file altered?)")
    try:
        data = _strict_json(envelope.signed_bytes)
    except ValueError as error:
        raise BundleRefused("format", f"{name}: the signed manifest is not valid JSON") from error
    if canonical_json(data) != envelope.signed_bytes:
        raise BundleRefused("format", f"{name}: the signed manifest is not in canonical form")
    manifest = parse_signed_manifest(data)
    if envelope.file_size != envelope.payload_offset + manifest.payload_size:
        raise BundleRefused(
            "tampered",
            f"{name} is {envelope.file_size} bytes; its manifest says "
            f"{envelope.payload_offset + manifest.payload_size} (truncated or extended)",
        )
    return Verified(envelope, manifest, result.keyid)


def copy_payload(verified: Verified, destination: Path) -> None:
    """Copy the payload out of the bundle file, refusing it unless size and SHA-256 match the manifest.

    The copy is what gets unpacked, so a file changed on the USB stick after this check cannot matter.
    """
    manifest = verified.manifest
    digest = hashlib.sha256()
    copied = 0
    try:
        with verified.envelope.path.open("rb") as source, destination.open("xb") as target:
            source.seek(verified.envelope.payload_offset)
            while chunk := source.read(_CHUNK):
                copied += len(chunk)
                if copied > manifest.payload_size:
                    break
                digest.update(chunk)
                target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
    except OSError as error:
        raise BundleRefused("unreadable", f"cannot copy the payload: {error}") from error
    if copied != manifest.payload_size or digest.hexdigest() != manifest.payload_sha256:
        raise BundleRefused(
            "tampered", f"{verified.envelope.path.name}: the payload does not match its signed SHA-256"
        )


def write_kbundle(out: Path, manifest: SignedManifest, payload: Path, key: SigningKey) -> None:
    signed_bytes = canonical_json(manifest.to_dict())
    write_envelope(out, signed_bytes, [sign(signed_bytes, key)], payload)


def write_envelope(out: Path, signed_bytes: bytes, signatures: list[Any], payload: Path) -> None:
    """Write header and payload to a temporary name, then rename: a half-written bundle never appears
    under its real name (a watched folder would otherwise see it)."""
    temporary = out.with_name(f".{out.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        with temporary.open("xb") as target, payload.open("rb") as source:
            target.write(MAGIC)
            target.write(signed_bytes + b"\n")
            target.write(json.dumps(signatures, separators=(",", ":")).encode("ascii") + b"\n")
            while chunk := source.read(_CHUNK):
                target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, out)
        fsync_dir(out.parent)
    finally:
        temporary.unlink(missing_ok=True)


def read_signed_file(path: Path) -> SignedManifest:
    """The signed manifest stored beside an installed bundle (already verified when it was installed)."""
    return parse_signed_manifest(_strict_json(path.read_bytes()))


def _strict_json(raw: bytes) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not allowed")

    return json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants)

