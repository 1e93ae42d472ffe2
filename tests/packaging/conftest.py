"""The frozen build, made once per test run with the project's build.spec and shared by the packaging tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "dystonia-kiosk"


@dataclass(frozen=True)
class FrozenBuild:
    folder: Path
    build_seconds: float

    @property
    def executable(self) -> Path:
        return self.folder / APP_NAME


def kiosk_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a kiosk process in a test: offscreen, its own data folder, no user settings."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("KIOSK_", "QT_"))}
    env.update(QT_QPA_PLATFORM="offscreen", KIOSK_HOME=str(home), **extra)
    return env


@pytest.fixture(scope="session")
def frozen_build(tmp_path_factory: pytest.TempPathFactory) -> FrozenBuild:
    base = tmp_path_factory.mktemp("pyinstaller")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(base / "dist"), "--workpath", str(base / "work"), "build.spec"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"pyinstaller build.spec failed ({result.returncode}):\n{result.stderr[-4000:]}")
    build = FrozenBuild(base / "dist" / APP_NAME, time.monotonic() - started)
    print(f"\nfrozen build: {build.folder} in {build.build_seconds:.0f} s")
    return build
