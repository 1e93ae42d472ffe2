"""The systemd unit's sandbox: rated by systemd-analyze, and the frozen kiosk run inside as much of it as this
machine can build without systemd as PID 1 (bubblewrap for the file system, no capabilities, no new privileges,
the unit's umask)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import REPO_ROOT, FrozenBuild

UNIT_FILE = REPO_ROOT / "packaging" / "debian" / "dystonia-kiosk.service"
MAX_EXPOSURE = 4.5  # systemd-analyze calls up to this "OK"


def unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT_FILE.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_systemd_analyze_rates_the_unit_ok() -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (package systemd)")
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", str(UNIT_FILE)],
                            capture_output=True, text=True, check=False)
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)", result.stdout)
    assert match, result.stdout + result.stderr
    print(f"\nsystemd-analyze security: {match[1]} {match[2]}")
    assert float(match[1]) <= MAX_EXPOSURE, result.stdout


def test_the_sandbox_keeps_what_the_kiosk_needs() -> None:
    settings = unit_settings()
    # Delivery over IP, Wayland/D-Bus/speech over Unix sockets, reachability over netlink.
    assert settings["RestrictAddressFamilies"] == ["AF_UNIX AF_INET AF_INET6 AF_NETLINK"]
    assert "/var/lib/dystonia-kiosk" in settings["ReadWritePaths"]
    # The seat: display, input, sound; none of them may be closed by a device policy.
    assert {"char-drm rw", "char-input rw", "char-alsa rw", "/dev/tty1 rw"} <= set(settings["DeviceAllow"])
    assert "PrivateDevices" not in settings and "PrivateNetwork" not in settings
    assert settings["SupplementaryGroups"] == ["video render input audio"]
    # Mesa's llvmpipe compiles to executable memory on machines without a GPU driver.
    assert "MemoryDenyWriteExecute" not in settings


@pytest.mark.slow
def test_frozen_kiosk_runs_in_the_units_file_system_sandbox(frozen_build: FrozenBuild, tmp_path: Path) -> None:
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed (scripts/setup --dev installs it)")
    settings = unit_settings()
    assert settings["ProtectSystem"] == ["strict"] and settings["ProtectHome"] == ["yes"]
    assert settings["PrivateTmp"] == ["yes"] and settings["NoNewPrivileges"] == ["yes"]
    assert settings["CapabilityBoundingSet"] == [""]
    umask = settings["UMask"][0]
    data = tmp_path / "data"  # stands for /var/lib/dystonia-kiosk, the one writable folder
    data.mkdir()
    folder = str(frozen_build.folder)
    # ProtectSystem=strict: everything read-only; ReadWritePaths: the data folder; PrivateTmp: a fresh /tmp
    # (the frozen folder, which lives under the tests' /tmp, is bound back read-only as /usr/lib would be);
    # ProtectHome: /home and /root empty; CapabilityBoundingSet= and NoNewPrivileges (bwrap sets it).
    sandbox = ["bwrap", "--ro-bind", "/", "/", "--dev-bind", "/dev", "/dev", "--proc", "/proc",
               "--tmpfs", "/tmp", "--ro-bind", folder, folder, "--bind", str(data), str(data),
               "--tmpfs", "/home", "--tmpfs", "/root", "--unshare-pid", "--unshare-ipc", "--cap-drop", "ALL",
               "--new-session", "--die-with-parent", "--chdir", "/tmp"]
    script = (f'umask {umask}; set -e; K={frozen_build.executable}; '
              f'$K check; $K screenshot --screen home --lang ar --size 640x360 --out {data}/home.png; '
              # the sandbox really is one: a write outside the data folder must fail
              f'if touch {folder}/written 2>/dev/null || touch /etc/written 2>/dev/null; then exit 99; fi')
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "KIOSK_HOME": str(data),
           "KIOSK_CONFIG": str(data / "kiosk.toml"), "LANG": "C.UTF-8"}
    result = subprocess.run([*sandbox, "sh", "-c", script], env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].endswith(": ok"), result.stdout  # `check`
    written = list(data.rglob("*"))
    assert data / "home.png" in written
    # UMask=0077: nothing the kiosk writes is readable by other users.
    assert not [path for path in written if path.stat().st_mode & 0o077], [
        (str(path), oct(path.stat().st_mode)) for path in written]
