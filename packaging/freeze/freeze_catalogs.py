"""Compile the interface catalogs for the frozen build.

The build ships ``.mo`` files only: the kiosk reads them directly, and leaving the ``.po`` files out means a
frozen kiosk never tries to compile a catalog at start-up.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "kiosk"
SOURCE_LANGUAGE = "en"  # the strings in the code; it has no catalog of its own


def catalog_languages(translations_dir: Path) -> list[str]:
    """Language codes that have a catalog, sorted."""
    return sorted(po.parent.parent.name for po in translations_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def shipped_languages(translations_dir: Path) -> list[str]:
    """Every interface language the build carries: the source language plus one per catalog."""
    return sorted({SOURCE_LANGUAGE, *catalog_languages(translations_dir)})


def compile_catalogs(translations_dir: Path, out_dir: Path) -> list[tuple[str, str]]:
    """Compile every ``<lang>/LC_MESSAGES/kiosk.po`` to ``out_dir``; returns PyInstaller ``datas`` entries."""
    datas = []
    for language in catalog_languages(translations_dir):
        po_file = translations_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        mo_file = out_dir / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        mo_file.parent.mkdir(parents=True, exist_ok=True)
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        # Fuzzy entries stay out, exactly as when the kiosk compiles a catalog from source.
        with mo_file.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        datas.append((str(mo_file), f"translations/{language}/LC_MESSAGES"))
    return datas
