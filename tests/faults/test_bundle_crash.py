"""Crash safety of installation: SIGKILL an installing process at every step, then prove the store
holds exactly the old or the new bundle, byte for byte as signed, and opens cleanly.

The installer passes numbered checkpoints (``kiosk.bundle.faultpoint``); ``KIOSK_BUNDLE_CRASH_AT=k``
makes the real install process kill itself with SIGKILL at the k-th. k runs from 1 until the install
finishes without reaching k, so every step, including ones added later, is covered.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from kiosk.bundle.library import ContentLibrary
from tests.unit.test_bundle_support import LANGUAGES, edition, open_store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
]

REPO = Path(__file__).resolve().parents[2]
INSTALLER = """
import sys
from pathlib import Path
from nacl.signing import VerifyKey
from kiosk.bundle.store import BundleStore

store = BundleStore(Path(sys.argv[1]), trusted_keys=[VerifyKey(bytes.fromhex(sys.argv[2]))],
                    keep=2, languages=sys.argv[4].split(","))
store.install(Path(sys.argv[3]))
"""


def run_installer(store_root: Path, key: SigningKey, bundle: Path, crash_at: int) -> int:
    env = {**os.environ, "KIOSK_BUNDLE_CRASH_AT": str(crash_at), "PYTHONPATH": str(REPO)}
    completed = subprocess.run(
        [sys.executable, "-c", INSTALLER, str(store_root), bytes(key.verify_key).hex(), str(bundle),
         ",".join(LANGUAGES)],
        env=env, cwd=REPO, capture_output=True, timeout=60, check=False,
    )
    if completed.returncode not in (0, -signal.SIGKILL):
        pytest.fail(f"installer failed at crash point {crash_at}: {completed.stderr.decode()}")
    return completed.returncode


def test_sigkill_at_every_install_step_leaves_old_or_new_never_a_mix(tmp_path):
    key = SigningKey.generate()
    pristine = tmp_path / "pristine"
    store = open_store(pristine, key, keep=2)
    store.install(edition(tmp_path, key, 1))
    store.install(edition(tmp_path, key, 2))
    old = store.active_name()
    new_bundle = edition(tmp_path, key, 3)

    outcomes: dict[str, int] = {"old": 0, "new": 0}
    crash_at = 0
    while True:
        crash_at += 1
        assert crash_at < 500, "the installer never finished"
        root = tmp_path / f"run-{crash_at}"
        shutil.copytree(pristine, root, symlinks=True)
        code = run_installer(root, key, new_bundle, crash_at)

        reopened = open_store(root, key, keep=2)  # what the kiosk does when it starts again
        active = reopened.active_name()
        version = reopened.installed()[-1].manifest.version
        assert (active == old) == (version == 2), f"crash point {crash_at}"
        assert version in (2, 3), f"crash point {crash_at}"
        assert reopened.verify_installed() == [], f"crash point {crash_at}: active bundle is not as signed"
        assert ContentLibrary(reopened.active_root()).manifest.version == version
        assert list(reopened.staging.iterdir()) == [], f"crash point {crash_at}: staging left over"
        kept = sorted(p.name for p in reopened.versions.iterdir())
        assert kept == sorted(b.name for b in reopened.installed()), f"crash point {crash_at}: orphans"
        assert reopened.highest_version() >= version
        outcomes["old" if version == 2 else "new"] += 1
        if version == 2:
            reopened.install(new_bundle)  # the store is usable: the same file installs now
            assert reopened.installed()[-1].manifest.version == 3
        shutil.rmtree(root)
        if code == 0:
            break

    killed = crash_at - 1
    assert killed >= 30, f"only {killed} crash points; the installer has too few checkpoints"
    assert outcomes["old"] > 0 and outcomes["new"] > 0
