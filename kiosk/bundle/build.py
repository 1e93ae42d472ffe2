"""``kiosk bundle build``: a content folder -> one signed ``.kbundle`` file.

The folder is validated first and nothing is built while it has errors, so a bundle that would break a
kiosk never leaves the staff PC. The payload is deterministic (sorted members, fixed times and modes):
the same content gives the same SHA-256, which is also the installed folder's name on every kiosk.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nacl.signing import SigningKey

from kiosk.bundle.archive import write_kbundle
from kiosk.bundle.fsutil import file_sha256
from kiosk.bundle.layout import scan_content
from kiosk.bundle.manifest import load_manifest
from kiosk.bundle.payload import write_payload
from kiosk.bundle.signedmanifest import SignedManifest
from kiosk.bundle.validate import Problem, validate_bundle

DEFAULT_EXPIRES_DAYS = 180


class BuildError(ValueError):
    """The folder cannot be built into a bundle; ``problems`` lists the validator's errors."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class BuildResult:
    path: Path
    manifest: SignedManifest
    warnings: list[Problem]


def build_bundle(
    root: Path,
    key: SigningKey,
    out: Path,
    expires_days: int = DEFAULT_EXPIRES_DAYS,
    languages: Sequence[str] | None = None,
    now: datetime | None = None,
) -> BuildResult:
    problems = validate_bundle(root, languages)
    errors = [problem for problem in problems if problem.is_error]
    if errors:
        raise BuildError(f"{root} has {len(errors)} error(s); fix them and build again", errors)
    if expires_days < 1:
        raise BuildError("--expires-days must be 1 or more")
    content = load_manifest(root)
    files = scan_content(root).files
    created = (now or datetime.now(UTC)).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="kbundle-") as scratch:
        payload = Path(scratch) / "payload.zip"
        # Sizes and hashes come from the bytes that went into the zip, not from a second read of the
        # folder: a file saved during the build cannot make the manifest disagree with the payload.
        entries = write_payload(root, files, payload)
        manifest = SignedManifest(
            bundle_id=content.bundle_id,
            version=content.version,
            created=created,
            expires=created + timedelta(days=expires_days),
            payload_size=payload.stat().st_size,
            payload_sha256=file_sha256(payload),
            files=tuple(entries),
        )
        try:
            write_kbundle(out, manifest, payload, key)
        except OSError as error:
            raise BuildError(f"cannot write {out}: {error}") from error
    return BuildResult(out, manifest, [problem for problem in problems if not problem.is_error])

