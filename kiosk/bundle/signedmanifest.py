"""The signed manifest: what a bundle file claims to be, checked strictly before anything is believed.

It names the bundle and its version (from ``manifest.toml``), when it was made and until when a kiosk
may install it, the size and SHA-256 of the payload archive as a whole, and the size and SHA-256 of
every file inside. Parsing refuses unknown keys, wrong types and unsafe or duplicate paths, so later code
works with facts rather than with whatever JSON arrived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.bundle.errors import BundleRefused
from kiosk.bundle.safepath import collision_key, name_problem

FORMAT = 1
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_BUNDLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TOP_KEYS = {"format", "bundle_id", "version", "created", "expires", "payload", "files"}


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class SignedManifest:
    bundle_id: str
    version: int
    created: datetime
    expires: datetime
    payload_size: int
    payload_sha256: str
    files: tuple[FileEntry, ...]

    @property
    def short_sha(self) -> str:
        return self.payload_sha256[:12]

    @property
    def name(self) -> str:
        """Folder name of this bundle in a kiosk's store: ``<version>-<shortsha>``."""
        return f"{self.version}-{self.short_sha}"

    @property
    def unpacked_size(self) -> int:
        return sum(entry.size for entry in self.files)

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= self.expires

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "bundle_id": self.bundle_id,
            "version": self.version,
            "created": format_time(self.created),
            "expires": format_time(self.expires),
            "payload": {"size": self.payload_size, "sha256": self.payload_sha256},
            "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in self.files],
        }


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: Any, what: str) -> datetime:
    if not isinstance(text, str):
        raise _bad(f"'{what}' must be a time like 2026-01-31T12:00:00Z")
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as error:
        raise _bad(f"'{what}' must be a time like 2026-01-31T12:00:00Z, got {text!r}") from error


def parse_signed_manifest(data: Any) -> SignedManifest:
    if not isinstance(data, dict):
        raise _bad("the signed manifest is not a JSON object")
    unknown = set(data) - _TOP_KEYS
    missing = _TOP_KEYS - set(data)
    if unknown or missing:
        raise _bad(f"unexpected keys {sorted(unknown)} / missing keys {sorted(missing)}")
    if data["format"] != FORMAT:
        raise _bad(f"bundle format {data['format']!r} is not supported (this kiosk reads {FORMAT})")
    bundle_id = data["bundle_id"]
    if not isinstance(bundle_id, str) or not _BUNDLE_ID.match(bundle_id):
        raise _bad("'bundle_id' is missing or malformed")
    version = _count(data["version"], "version")
    if version < 1:
        raise _bad("'version' must be 1 or more")
    created = parse_time(data["created"], "created")
    expires = parse_time(data["expires"], "expires")
    if expires <= created:
        raise _bad("'expires' is not after 'created'")
    payload = data["payload"]
    if not isinstance(payload, dict) or set(payload) != {"size", "sha256"}:
        raise _bad("'payload' must have exactly 'size' and 'sha256'")
    payload_size = _count(payload["size"], "payload size")
    payload_sha = _sha(payload["sha256"], "payload")
    raw_files = data["files"]
    if not isinstance(raw_files, list) or not raw_files:
        raise _bad("'files' must be a non-empty list")
    files: list[FileEntry] = []
    seen: set[str] = set()
    for raw in raw_files:
        if not isinstance(raw, dict) or set(raw) != {"path", "size", "sha256"}:
            raise _bad("every file entry needs exactly 'path', 'size' and 'sha256'")
        path = raw["path"]
        if not isinstance(path, str):
            raise _bad("a file path is not text")
        problem = name_problem(path)
        if problem:
            raise BundleRefused("unsafe-path", f"the manifest lists {path!r}: {problem}")
        key = collision_key(path)
        if key in seen:
            raise BundleRefused("duplicate-name", f"the manifest lists {path!r} twice (ignoring case)")
        seen.add(key)
        files.append(FileEntry(path, _count(raw["size"], f"size of {path}"), _sha(raw["sha256"], path)))
    return SignedManifest(bundle_id, version, created, expires, payload_size, payload_sha, tuple(files))


def _count(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _bad(f"'{what}' must be a whole number of 0 or more")
    return value


def _sha(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _HEX64.match(value):
        raise _bad(f"SHA-256 of {what} is not 64 lower-case hex digits")
    return value


def _bad(message: str) -> BundleRefused:
    return BundleRefused("format", f"malformed signed manifest: {message}")
