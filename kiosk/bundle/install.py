"""From a bundle file to a checked content folder: verify, apply the kiosk's policy, unpack, validate.

The order matters: the signature is checked before the manifest is parsed, the policy (expiry, bundle
id, version floor, declared size) before a byte of payload is copied, the payload's hash before the zip
is opened, the zip's structure before anything is inflated, and the content's validity before anything
is activated. Activation itself belongs to ``store``.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nacl.signing import VerifyKey

from kiosk.bundle import active
from kiosk.bundle.archive import Verified, copy_payload, read_envelope, verify_envelope
from kiosk.bundle.contentlimits import LIMIT_CODES, MAX_SOURCE_FILE_BYTES, MAX_SVG_BYTES
from kiosk.bundle.errors import BundleRefused, Limits
from kiosk.bundle.faultpoint import checkpoint
from kiosk.bundle.library import MAX_IMAGE_BYTES, ContentLibrary
from kiosk.bundle.manifest import ManifestError, load_manifest
from kiosk.bundle.payload import extract_payload
from kiosk.bundle.signedmanifest import SignedManifest, format_time
from kiosk.bundle.validate import Problem, validate_bundle

log = logging.getLogger("kiosk.bundle")

CONTENT_DIR = active.CONTENT_DIR
SIGNED_FILE = "signed.json"
SIGNATURES_FILE = "signatures.json"


@dataclass(frozen=True)
class Policy:
    """What this kiosk accepts. ``floor_version``: versions at or below it are refused (rollback)."""

    trusted_keys: tuple[VerifyKey, ...]
    limits: Limits = field(default_factory=Limits)
    languages: tuple[str, ...] | None = None
    floor_version: int = 0
    bundle_id: str | None = None
    allow_older: bool = False
    now: datetime | None = None


def check_policy(manifest: SignedManifest, policy: Policy, name: str) -> None:
    now = policy.now or datetime.now(UTC)
    if manifest.is_expired(now):
        expired = format_time(manifest.expires)
        raise BundleRefused("expired", f"{name} expired on {expired}; build a fresh one")
    if policy.bundle_id and manifest.bundle_id != policy.bundle_id:
        raise BundleRefused(
            "bundle-id", f"{name} is bundle '{manifest.bundle_id}'; this kiosk shows '{policy.bundle_id}'"
        )
    if manifest.version <= policy.floor_version and not policy.allow_older:
        raise BundleRefused(
            "rollback",
            f"{name} is version {manifest.version}, not above version {policy.floor_version} that this "
            "kiosk already has or had (publish a higher version; a downgrade must be explicit)",
        )
    limits = policy.limits
    if len(manifest.files) > limits.max_files:
        raise BundleRefused(
            "too-many-files", f"{name} lists {len(manifest.files)} files (limit {limits.max_files})"
        )
    if manifest.unpacked_size > limits.max_unpacked_bytes:
        raise BundleRefused(
            "too-big", f"{name} unpacks to {manifest.unpacked_size} bytes (limit {limits.max_unpacked_bytes})"
        )
    for entry in manifest.files:
        limit = _file_limit(entry.path)
        if limit is not None and entry.size > limit:
            raise BundleRefused(
                "content-limit",
                f"{name}: {entry.path} is {entry.size} bytes (limit {limit} for a file of its type)",
            )


def _file_limit(path: str) -> int | None:
    """Largest size a content file may have, known from the signed manifest before anything is unpacked."""
    suffix = path.rsplit(".", 1)[-1].lower()
    if suffix == "md":
        return MAX_SOURCE_FILE_BYTES
    if suffix == "svg":
        return MAX_SVG_BYTES
    return MAX_IMAGE_BYTES if path.startswith("assets/") else None


def peek(file: Path, policy: Policy) -> Verified:
    """Signature and policy only, without unpacking: cheap enough to run on every file in a folder."""
    verified = verify_envelope(read_envelope(file, policy.limits), policy.trusted_keys)
    check_policy(verified.manifest, policy, file.name)
    return verified


def unpack(verified: Verified, folder: Path, policy: Policy) -> list[Problem]:
    """Unpack into ``folder/content`` and prove the content is sound; returns the validator's warnings.

    ``folder`` must be empty and private to the caller. On refusal it is left for the caller to delete.
    """
    manifest = verified.manifest
    payload = folder.with_name(folder.name + ".zip")
    try:
        copy_payload(verified, payload)
        checkpoint("payload copied")
        content = folder / CONTENT_DIR
        content.mkdir(parents=True)
        extract_payload(payload, manifest, content, policy.limits,
                        after_each_file=lambda path: checkpoint(f"extracted {path}"))
    finally:
        payload.unlink(missing_ok=True)
    try:
        warnings = check_content(content, manifest, policy.languages)
    except (BundleRefused, OSError):
        raise
    except Exception as error:
        # The limits exist so that no content can crash the checks; if some still does, it is refused like
        # any other bad bundle (and remembered as refused) instead of escaping as a traceback.
        log.exception("checking the content of %s failed", verified.envelope.path)
        raise BundleRefused(
            "check-failed",
            f"{verified.envelope.path.name}: checking its content failed ({type(error).__name__}); "
            "the kiosk's log has the details",
        ) from error
    checkpoint("content checked")
    envelope = verified.envelope
    (folder / SIGNED_FILE).write_bytes(envelope.signed_bytes)
    (folder / SIGNATURES_FILE).write_bytes(envelope.signatures_line)
    return warnings


def check_content(content: Path, manifest: SignedManifest, languages: Sequence[str] | None) -> list[Problem]:
    """Validator plus smoke test: every section renders in every language without a problem."""
    problems = validate_bundle(content, languages)
    errors = [problem for problem in problems if problem.is_error]
    if errors:
        shown = "; ".join(str(problem) for problem in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise BundleRefused(_refusal_reason(errors), f"the content has errors: {shown}{more}")
    try:
        inner = load_manifest(content)
    except ManifestError as error:
        raise BundleRefused("invalid-content", str(error)) from error
    if (inner.bundle_id, inner.version) != (manifest.bundle_id, manifest.version):
        raise BundleRefused(
            "invalid-content",
            f"manifest.toml says {inner.bundle_id} version {inner.version}, the signed manifest "
            f"{manifest.bundle_id} version {manifest.version}",
        )
    failures = smoke_check(content)
    if failures:
        raise BundleRefused("invalid-content", "smoke check failed: " + "; ".join(failures[:5]))
    return problems


def _refusal_reason(errors: Sequence[Problem]) -> str:
    """The most telling reason for the log and ``kiosk bundle list``: unsafe pictures, then limits."""
    codes = {problem.code for problem in errors}
    if "unsafe-asset" in codes:
        return "unsafe-asset"
    if codes & LIMIT_CODES:
        return "content-limit"
    return "invalid-content"


def smoke_check(content: Path) -> list[str]:
    """Render every section in every language the way the kiosk will; any problem is a failure."""
    library = ContentLibrary(content)
    failures: list[str] = []
    for section_id in library.section_ids:
        if library.manifest.sections and library.icon_path(section_id) is None:
            entry = next(e for e in library.manifest.sections if e.id == section_id)
            if entry.icon:
                failures.append(f"{section_id}: icon {entry.icon} unusable")
        for language in library.languages():
            page = library.page(section_id, language)
            failures.extend(page.problems)
            if not page.html.strip():
                failures.append(f"{section_id} ({language}): renders empty")
    return failures


def verify_file(file: Path, trusted_keys: Sequence[VerifyKey], limits: Limits,
                languages: Sequence[str] | None = None) -> tuple[Verified, list[Problem]]:
    """Everything a kiosk would check except the version floor, unpacking into a throw-away folder."""
    policy = Policy(tuple(trusted_keys), limits, tuple(languages) if languages is not None else None)
    verified = peek(file, policy)
    with tempfile.TemporaryDirectory(prefix="kbundle-verify-") as scratch:
        warnings = unpack(verified, Path(scratch) / "bundle", policy)
    return verified, warnings
