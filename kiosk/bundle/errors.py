"""Why a bundle was refused, and the size limits a kiosk enforces on what it is given.

Every refusal carries a short machine-readable ``reason`` (tests, logs and the admin screen key on it)
and a sentence a member of staff can act on. The store never "repairs" a refused bundle: the whole file
is rejected and the content on screen stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024


class BundleRefused(Exception):
    """A bundle file that must not be installed; ``reason`` is a stable code, ``str()`` the explanation."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason

    @property
    def message(self) -> str:
        return str(self.args[0])

    def __str__(self) -> str:
        return f"{self.message} [{self.reason}]"


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what a bundle may make the kiosk download, unpack and keep."""

    max_download_bytes: int = 200 * MB
    max_unpacked_bytes: int = 500 * MB
    max_files: int = 5000
    # Text and images compress 2-10x; a deflate stream of zeros reaches 1000x. Small members are exempt
    # because their ratio cannot hurt anyone and tiny files compress oddly.
    max_ratio: float = 100.0
    ratio_exempt_bytes: int = 64 * 1024
    max_header_bytes: int = 8 * MB
    download_deadline_seconds: float = 600.0

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        return cls(
            max_download_bytes=int(config["bundles.max_download_mb"]) * MB,
            max_unpacked_bytes=int(config["bundles.max_unpacked_mb"]) * MB,
            max_files=int(config["bundles.max_files"]),
            download_deadline_seconds=float(config["bundles.download_deadline_seconds"]),
        )
