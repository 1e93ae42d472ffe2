"""Every directory the kiosk uses, in one place.

Read-only resources live beside the code (or inside the frozen bundle); writable state lives in the
platform's data directory. ``KIOSK_HOME`` moves all writable state to one folder: tests, portable
installs and the Debian package (``/var/lib/dystonia-kiosk``) use it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "dystonia-kiosk"
# Where an installed wheel keeps the data beside the code (placed there by setup.py's build hook).
INSTALLED_DATA_DIR = "_data"


def app_root() -> Path:
    """Folder holding ``resources/``, ``translations/`` and ``content/``: frozen build, wheel or source tree."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    package = Path(__file__).resolve().parent
    installed = package / INSTALLED_DATA_DIR
    if installed.is_dir():
        return installed
    return package.parent


def resources_dir() -> Path:
    return app_root() / "resources"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def icons_dir() -> Path:
    return resources_dir() / "icons"


def translations_dir() -> Path:
    return app_root() / "translations"


def shipped_content_dir() -> Path:
    """The content bundle that ships with the build (used until staff install another)."""
    return app_root() / "content"


def home_dir() -> Path:
    """Root of all writable state; created on first use."""
    override = os.environ.get("KIOSK_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def outbox_db_path() -> Path:
    return home_dir() / "outbox.sqlite3"


def bundles_dir() -> Path:
    return home_dir() / "bundles"


def logs_dir() -> Path:
    path = home_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_config_path() -> Path:
    """``KIOSK_CONFIG`` if set, else ``kiosk.toml`` in the platform's config directory."""
    override = os.environ.get("KIOSK_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "kiosk.toml"
