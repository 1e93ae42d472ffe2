"""The QML modules the Qt Virtual Keyboard needs, found by following imports from its own files.

Nothing in the kiosk's Python imports QtQml, so PyInstaller's analysis never sees the keyboard: its
platform-input-context plugin loads ``QtQuick.VirtualKeyboard`` at run time. Collecting Qt's whole QML tree
would drag in Quick3D, WebEngine and Multimedia back ends; following ``depends``/``import`` lines from
the keyboard's ``qmldir`` and ``.qml`` files collects exactly the modules it can load.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# ``import QtQuick.Layouts`` / ``import QtQuick 2.15 as Q`` in QML and JS; quoted (relative) imports are local.
_SOURCE_IMPORT = re.compile(r"^\s*import\s+([A-Za-z_][\w.]*)", re.MULTILINE)
# ``depends QtQuick auto``, ``import QtQuick.VirtualKeyboard.Styles.Builtin auto``, ``optional import X``.
_QMLDIR_IMPORT = re.compile(r"^\s*(?:optional\s+)?(?:depends|import)\s+([A-Za-z_][\w.]*)", re.MULTILINE)


def module_dir(qml_root: Path, module: str) -> Path:
    return qml_root.joinpath(*module.split("."))


def _imports_of(folder: Path) -> set[str]:
    found: set[str] = set()
    qmldir = folder / "qmldir"
    if qmldir.is_file():
        found.update(_QMLDIR_IMPORT.findall(qmldir.read_text(encoding="utf-8")))
    for source in _module_files(folder):
        if source.suffix in {".qml", ".js", ".mjs"}:
            found.update(_SOURCE_IMPORT.findall(source.read_text(encoding="utf-8", errors="replace")))
    return found


def _module_files(folder: Path) -> Iterable[Path]:
    """Files of one module: its folder and sub-folders that are not modules of their own."""
    for entry in sorted(folder.iterdir()):
        if entry.is_file():
            yield entry
        elif entry.is_dir() and not (entry / "qmldir").is_file():
            yield from _module_files(entry)


def module_closure(qml_root: Path, roots: Iterable[str]) -> list[str]:
    """Module names reachable from ``roots`` that exist under ``qml_root``.

    Modules without a folder (built into a library, such as ``QML``) need nothing collected.
    """
    pending = list(roots)
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        folder = module_dir(qml_root, module)
        if not (folder / "qmldir").is_file():
            continue
        seen.add(module)
        pending.extend(_imports_of(folder))
    return sorted(seen)


def collect_modules(qml_root: Path, modules: Iterable[str], dest_root: str) -> tuple[list, list]:
    """PyInstaller ``(binaries, datas)`` for the given modules, laid out as under ``qml_root``."""
    binaries: list[tuple[str, str]] = []
    datas: list[tuple[str, str]] = []
    for module in modules:
        for path in _module_files(module_dir(qml_root, module)):
            if path.suffix == ".qmltypes" or path.name.startswith("objects-"):
                continue  # tooling metadata, not read at run time
            dest = f"{dest_root}/{path.parent.relative_to(qml_root).as_posix()}"
            (binaries if path.suffix in {".so", ".dll", ".dylib"} else datas).append((str(path), dest))
    return binaries, datas
