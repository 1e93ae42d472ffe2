"""The Debian package: built from the frozen folder with dpkg-deb, installed, upgraded and purged for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kiosk
from tests.packaging.conftest import REPO_ROOT, FrozenBuild

pytestmark = pytest.mark.slow

PACKAGE = "dystonia-kiosk"
DATA_DIR = Path("/var/lib/dystonia-kiosk")
CONFIG = Path("/etc/dystonia-kiosk/kiosk.toml")
UNIT = Path("/lib/systemd/system/dystonia-kiosk.service")
VERSION = kiosk.__version__
UPGRADE_VERSION = f"{VERSION}+1"  # sorts after VERSION for dpkg


def sh(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False,
                            stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def debs(frozen_build: FrozenBuild, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed (not a Debian system)")
    out = tmp_path_factory.mktemp("debs")
    built = {}
    for version in (VERSION, UPGRADE_VERSION):
        result = sh(str(REPO_ROOT / "scripts" / "build-deb"), "--frozen", str(frozen_build.folder),
                    "--version", version, "--out", str(out))
        built[version] = Path(result.stdout.strip())
        assert built[version].is_file()
    return built


@pytest.fixture(scope="module")
def unpacked(debs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("unpacked")
    sh("dpkg-deb", "-x", str(debs[VERSION]), str(folder))
    return folder


def test_control_fields(debs: dict[str, Path]) -> None:
    fields = sh("dpkg-deb", "-f", str(debs[VERSION]), "Package", "Version", "Architecture", "Depends").stdout
    assert f"Package: {PACKAGE}\n" in fields
    assert f"Version: {VERSION}\n" in fields
    assert f"Architecture: {sh('dpkg', '--print-architecture').stdout.strip()}\n" in fields
    depends = {name.strip() for name in fields.split("Depends:", 1)[1].split(",")}
    # cage (Debian 12: 0.1.4) exits at once without the Xwayland binary, and its package does not depend on it.
    assert {"cage", "xwayland", "adduser", "libpam-systemd"} <= depends
    info = sh("dpkg-deb", "-I", str(debs[VERSION]), "conffiles").stdout
    assert set(info.split()) == {str(CONFIG), "/etc/pam.d/dystonia-kiosk"}


def test_contents_are_root_owned_and_complete(debs: dict[str, Path]) -> None:
    listing = sh("dpkg-deb", "-c", str(debs[VERSION])).stdout.splitlines()
    entries = {line.split()[-1].lstrip("."): line.split()[1] for line in listing}
    for path in ("/opt/dystonia-kiosk/dystonia-kiosk",
                 "/opt/dystonia-kiosk/_internal/content/manifest.toml", "/usr/bin/dystonia-kiosk",
                 str(CONFIG), str(UNIT), "/etc/pam.d/dystonia-kiosk"):
        assert path in entries, f"{path} is not in the package"
    assert set(entries.values()) == {"root/root"}
    # Data is created by postinst, never shipped: an upgrade must not own (and so replace) it.
    assert not [path for path in entries if path.startswith("/var/")]


def test_wrapper_points_the_kiosk_at_etc_and_var_lib(unpacked: Path) -> None:
    wrapper = unpacked / "usr/bin/dystonia-kiosk"
    text = wrapper.read_text()
    assert os.access(wrapper, os.X_OK)
    assert 'KIOSK_HOME:=/var/lib/dystonia-kiosk' in text
    assert 'KIOSK_CONFIG:=/etc/dystonia-kiosk/kiosk.toml' in text
    assert 'exec /opt/dystonia-kiosk/dystonia-kiosk "$@"' in text


def test_example_configuration_is_valid(unpacked: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "kiosk", "config", "check", str(unpacked / CONFIG.relative_to("/"))],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(": ok")


def test_unit_runs_the_kiosk_under_cage_and_restarts_it(unpacked: Path) -> None:
    unit = (unpacked / UNIT.relative_to("/")).read_text()
    assert "ExecStart=/usr/bin/cage -d -- /usr/bin/dystonia-kiosk\n" in unit
    assert "Restart=always\n" in unit
    assert "User=dystonia-kiosk\n" in unit
    assert "WantedBy=graphical.target\n" in unit
    if shutil.which("systemd-analyze") is None or not Path("/usr/bin/cage").exists():
        pytest.skip("systemd-analyze or cage is not installed: the unit is verified in the install test")
    result = sh("systemd-analyze", "verify", str(unpacked / UNIT.relative_to("/")), check=False)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def installed_version() -> str | None:
    result = sh("dpkg-query", "-W", "-f=${Status} ${Version}", PACKAGE, check=False)
    if result.returncode != 0 or "install ok installed" not in result.stdout:
        return None
    return result.stdout.split()[-1]


def test_install_upgrade_keeps_data_and_config_then_purge_removes_them(debs: dict[str, Path]) -> None:
    if shutil.which("dpkg") is None:
        pytest.skip("dpkg is not installed (not a Debian system)")
    if os.geteuid() != 0:
        pytest.skip("installing a package needs root")
    if installed_version() is not None:
        pytest.skip(f"{PACKAGE} is already installed on this machine; not touching it")
    try:
        sh("dpkg", "-i", str(debs[VERSION]))
        assert installed_version() == VERSION
        user = sh("getent", "passwd", PACKAGE).stdout.split(":")
        assert user[5] == str(DATA_DIR) and user[6].strip() == "/usr/sbin/nologin"
        assert int(user[2]) < 1000  # a system user
        status = DATA_DIR.stat()
        assert (status.st_uid, oct(status.st_mode & 0o777)) == (int(user[2]), "0o750")
        assert oct(CONFIG.stat().st_mode & 0o777) == "0o640"
        assert sh("/usr/bin/dystonia-kiosk", "--version").stdout.strip() == f"kiosk {VERSION}"
        # The wrapper reads the package's configuration.
        assert sh("/usr/bin/dystonia-kiosk", "config", "check", str(CONFIG)).stdout.strip() == f"{CONFIG}: ok"
        if shutil.which("systemd-analyze"):
            verify = sh("systemd-analyze", "verify", str(UNIT), check=False)
            assert verify.returncode == 0 and not verify.stderr.strip(), verify.stderr
        missing = [line for line in sh("sh", "-c", "LD_LIBRARY_PATH=/opt/dystonia-kiosk/_internal ldd "
                                       "/opt/dystonia-kiosk/dystonia-kiosk /opt/dystonia-kiosk/_internal/*.so* "
                                       "/opt/dystonia-kiosk/_internal/PySide6/Qt/plugins/*/*.so",
                                       check=False).stdout.splitlines() if "not found" in line]
        assert not missing, f"libraries the package's Depends do not provide: {missing}"

        # What a kiosk in service has: queued requests, an installed bundle, an edited configuration.
        outbox = DATA_DIR / "outbox.sqlite3"
        outbox.write_bytes(b"requests waiting for delivery")
        (DATA_DIR / "bundles").mkdir()
        (DATA_DIR / "bundles" / "marker").write_text("installed bundle")
        edited = CONFIG.read_text() + "\n# edited by the hospital's IT\n"
        CONFIG.write_text(edited)

        for version in (VERSION, UPGRADE_VERSION):  # a reinstall, then an upgrade
            sh("dpkg", "-i", str(debs[version]))
            assert installed_version() == version
            assert outbox.read_bytes() == b"requests waiting for delivery"
            assert (DATA_DIR / "bundles" / "marker").read_text() == "installed bundle"
            assert CONFIG.read_text() == edited

        sh("dpkg", "--remove", PACKAGE)
        assert outbox.exists(), "removing (not purging) must keep the data"
        assert not Path("/opt/dystonia-kiosk").exists()
        sh("dpkg", "--purge", PACKAGE)
        assert not DATA_DIR.exists()
        assert not CONFIG.parent.exists()
        assert sh("getent", "passwd", PACKAGE, check=False).returncode != 0
    finally:
        if sh("dpkg-query", "-W", PACKAGE, check=False).returncode == 0:
            sh("dpkg", "--purge", PACKAGE, check=False)
