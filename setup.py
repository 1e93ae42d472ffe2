"""Build hook: the wheel carries the kiosk's read-only data inside the ``kiosk`` package.

Everything else about the project is declared in pyproject.toml. The source tree keeps ``content/``,
``translations/`` and ``resources/`` at the top; an installed kiosk finds them under ``kiosk/_data/``
(see kiosk/paths.py). Catalogs are compiled here and shipped as ``.mo`` only, as in the frozen build, so an
installed kiosk never compiles a catalog at start-up.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA_PACKAGE_DIR = "_data"  # must match kiosk.paths.INSTALLED_DATA_DIR

# The same compiler as the frozen build (build.spec), so a wheel and a frozen folder ship the same catalogs.
sys.path.insert(0, str(ROOT / "packaging" / "freeze"))
from freeze_catalogs import compile_catalogs  # noqa: E402


def _visible_files(source: Path) -> list[Path]:
    return [path for path in sorted(source.rglob("*"))
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                          for part in path.relative_to(source).parts)]


class BuildWithData(build_py):
    """Copies content and resources and compiles the catalogs into ``kiosk/_data`` of the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the source tree itself
        target = Path(self.build_lib) / "kiosk" / DATA_PACKAGE_DIR
        if target.exists():
            shutil.rmtree(target)
        for name in ("content", "resources"):
            for path in _visible_files(ROOT / name):
                destination = target / name / path.relative_to(ROOT / name)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
        compile_catalogs(ROOT / "translations", target / "translations")


setup(cmdclass={"build_py": BuildWithData})
