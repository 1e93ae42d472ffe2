"""Loading gettext catalogs.

A frozen build ships compiled ``.mo`` files. From a source checkout the ``.po`` file is compiled in memory
with Babel whenever it is newer than the ``.mo`` (or no ``.mo`` exists), so an editor's change shows up at
the next start without a separate compile step and a stale ``.mo`` can never win.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from kiosk import paths
from kiosk.i18n.languages import PSEUDO_LANGUAGES
from kiosk.i18n.pseudo import PseudoTranslations

DOMAIN = "kiosk"

_active: gettext.NullTranslations = gettext.NullTranslations()
_active_code = "en"
_cache: dict[str, gettext.NullTranslations] = {}


def active_catalog() -> gettext.NullTranslations:
    return _active


def active_code() -> str:
    return _active_code


def activate(code: str, translations_dir: Path | None = None) -> gettext.NullTranslations:
    """Make ``code``'s catalog the one ``_`` uses and return it."""
    global _active, _active_code
    _active = load_catalog(code, translations_dir)
    _active_code = code
    return _active


def load_catalog(code: str, translations_dir: Path | None = None) -> gettext.NullTranslations:
    base = translations_dir or paths.translations_dir()
    key = f"{base}:{code}"
    if key not in _cache:
        _cache[key] = _read_catalog(base / code / "LC_MESSAGES", code)
    return _cache[key]


def has_catalog(code: str, translations_dir: Path | None = None) -> bool:
    if code in PSEUDO_LANGUAGES:
        return True
    folder = (translations_dir or paths.translations_dir()) / code / "LC_MESSAGES"
    return (folder / f"{DOMAIN}.po").exists() or (folder / f"{DOMAIN}.mo").exists()


def clear_cache() -> None:
    _cache.clear()


def _read_catalog(folder: Path, code: str) -> gettext.NullTranslations:
    if code in PSEUDO_LANGUAGES:
        return PseudoTranslations(code)
    po_file = folder / f"{DOMAIN}.po"
    mo_file = folder / f"{DOMAIN}.mo"
    if po_file.exists() and (not mo_file.exists() or po_file.stat().st_mtime > mo_file.stat().st_mtime):
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=code)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    if mo_file.exists():
        with mo_file.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    return gettext.NullTranslations()
