"""Shared fixtures. Qt runs offscreen; every test gets its own writable kiosk home."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The user's own settings must never leak into a test run.
for _name in [name for name in os.environ if name.startswith("KIOSK_")]:
    del os.environ[_name]
# Kiosks started as separate processes speak through Qt's mock voice: the platform's engine
# (speech-dispatcher) takes seconds to start in every process, and tests must not make sounds.
os.environ["KIOSK_SPEECH_ENGINE"] = "mock"

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONTENT = REPO_ROOT / "content"


@pytest.fixture(autouse=True)
def kiosk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "kiosk-home"
    home.mkdir()
    monkeypatch.setenv("KIOSK_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def english_catalog():
    """``_`` reads a process-wide catalog; a test that switched language must not leak it into the next."""
    from kiosk.i18n import catalogs

    catalogs.activate("en")
    yield
    catalogs.activate("en")


@pytest.fixture
def keys() -> tuple[str, str]:
    """The hospital's key pair (private, public): the kiosk seals to the public half."""
    from kiosk.outbox.sealing import generate_keypair

    return generate_keypair()


@pytest.fixture
def outbox(tmp_path: Path, keys: tuple[str, str]) -> Iterator:
    """A real outbox file sealed to ``keys``."""
    from kiosk.outbox.store import Outbox

    with Outbox(tmp_path / "outbox.sqlite3", keys[1]) as store:
        yield store


@pytest.fixture
def config():
    from kiosk.config import load_config

    return load_config(None, environ={})


@pytest.fixture
def make_kiosk(qtbot, config, keys) -> Iterator:
    """Build a kiosk (windowed, offscreen) on the shipped content or another folder; shut down after. It
    seals to ``keys`` (so its form takes requests) unless a test sets another hospital key, or none."""
    from kiosk.app import build_kiosk

    built = []

    def factory(content: Path | None = None, size: tuple[int, int] = (1920, 1080), cfg=None, **overrides):
        if cfg is None:
            overrides.setdefault("delivery__hospital_public_key", keys[1])
            # Qt's silent test voice, unless a test asks for a real engine: no speech process per kiosk.
            overrides.setdefault("speech__engine", "mock")
        chosen = (cfg or config).with_overrides(**overrides) if overrides else (cfg or config)
        kiosk = build_kiosk(chosen, content, kiosk_mode=False)
        kiosk.window.resize(*size)
        kiosk.window.show()
        qtbot.waitExposed(kiosk.window)
        built.append(kiosk)
        return kiosk

    yield factory
    for kiosk in built:
        kiosk.shutdown()
    # Delete the windows now: left to a later event loop, every test's widgets would stay alive, and each
    # style sheet change in the next tests would re-polish all of them (the suite slowed down tenfold).
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def run_kiosk_command(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    """Run ``python -m kiosk ARGS`` as a real process."""
    import subprocess

    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO_ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)
