"""The PyInstaller folder runs exactly like the source: same version, same check, same pixels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kiosk
from tests.packaging.conftest import REPO_ROOT, FrozenBuild, kiosk_env

pytestmark = pytest.mark.slow

SIZE_BUDGET_BYTES = 180 * 1000 * 1000
LANGUAGES = {"en", "tr", "ar", "fa", "ru", "de", "fr", "uk"}


def run(command: list[str], home: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.run(command, env=kiosk_env(home, **extra_env), capture_output=True, text=True,
                          timeout=300, check=False, cwd=home)


def from_source(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", *args]


def folder_bytes(folder: Path) -> int:
    # Symbolic links (PyInstaller links some libraries into the top folder) count as what they take: nothing.
    return sum(path.lstat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def test_folder_fits_the_size_budget(frozen_build: FrozenBuild) -> None:
    size = folder_bytes(frozen_build.folder)
    print(f"\nfrozen folder: {size / 1e6:.1f} MB")
    assert size < SIZE_BUDGET_BYTES, f"{size / 1e6:.1f} MB is over the {SIZE_BUDGET_BYTES / 1e6:.0f} MB budget"


def test_ships_compiled_catalogs_fonts_icons_and_content_only(frozen_build: FrozenBuild) -> None:
    internal = frozen_build.folder / "_internal"
    catalogs = {path.parent.parent.name for path in (internal / "translations").glob("*/LC_MESSAGES/kiosk.mo")}
    assert catalogs == LANGUAGES - {"en"}
    assert not list((internal / "translations").rglob("*.po"))
    for name in ("NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf", "OFL.txt"):
        assert (internal / "resources" / "fonts" / name).is_file()
    assert {path.name for path in (internal / "resources" / "icons").iterdir()} == {
        path.name for path in (REPO_ROOT / "resources" / "icons").iterdir()}
    shipped = {path.relative_to(internal / "content") for path in (internal / "content").rglob("*") if path.is_file()}
    assert shipped == {path.relative_to(REPO_ROOT / "content") for path in (REPO_ROOT / "content").rglob("*")
                       if path.is_file()}


def test_leaves_out_what_the_kiosk_does_not_use(frozen_build: FrozenBuild) -> None:
    internal = frozen_build.folder / "_internal"
    names = [path.name for path in internal.rglob("*")]
    for unused in ("WebEngine", "Qt63D", "Charts", "Quick3D", "Pdf", "ffmpeg", "avcodec", "gtk3",
                   # no interactive prompt, no CJK legacy encodings, no sound-file codecs
                   "readline", "libtinfo", "_codecs_", "_multibytecodec", "libsndfile", "libFLAC", "libvorbis",
                   "libmpg123", "libmp3lame", "libopus",
                   # the Debian package depends on these instead of carrying the build machine's copies
                   "libpulse", "libsystemd", "libdbus-1", "libspeechd", "libgssapi_krb5", "libkrb5"):
        assert not [name for name in names if unused in name], f"{unused} is in the build"
    qt_catalogs = {path.name for path in (internal / "PySide6" / "Qt" / "translations").iterdir()}
    assert qt_catalogs == {f"qtbase_{code}.qm" for code in LANGUAGES}
    locales = {path.stem for path in (internal / "babel" / "locale-data").glob("*.dat")}
    assert locales == LANGUAGES | {"root"}


def test_version_is_the_package_version(frozen_build: FrozenBuild, tmp_path: Path) -> None:
    result = run([str(frozen_build.executable), "--version"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"kiosk {kiosk.__version__}"


@pytest.mark.parametrize("args", [["check"], ["check", "--json"]], ids=["summary", "json"])
def test_check_reports_the_same_as_from_source(frozen_build: FrozenBuild, tmp_path: Path, args: list[str]) -> None:
    frozen = run([str(frozen_build.executable), *args], tmp_path / "frozen")
    source = run(from_source(*args), tmp_path / "source")
    assert frozen.returncode == 0, frozen.stdout + frozen.stderr
    assert source.returncode == 0, source.stdout + source.stderr
    if "--json" in args:
        frozen_report, source_report = json.loads(frozen.stdout), json.loads(source.stdout)
        # The one expected difference: where the shipped content lives.
        assert Path(frozen_report.pop("content")).is_relative_to(frozen_build.folder)
        assert Path(source_report.pop("content")) == REPO_ROOT / "content"
        assert frozen_report == source_report
    else:
        assert frozen.stdout == source.stdout


def pixels(path: Path) -> tuple[tuple[int, int], bytes]:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not an image"
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return (image.width(), image.height()), bytes(image.constBits())


@pytest.mark.parametrize("screen,language", [
    ("reader:what-is-dystonia", "en"),
    ("reader:what-is-dystonia", "ar"),
    ("form", "ar"),  # country names and the phone example come from Babel and phonenumbers data
], ids=["reader-ltr", "reader-rtl", "form-rtl"])
def test_screenshot_matches_the_source_pixel_for_pixel(frozen_build: FrozenBuild, tmp_path: Path,
                                                       screen: str, language: str) -> None:
    shot = ["screenshot", "--screen", screen, "--lang", language, "--size", "1920x1080", "--out"]
    frozen = run([str(frozen_build.executable), *shot, str(tmp_path / "frozen.png")], tmp_path / "frozen")
    source = run(from_source(*shot, str(tmp_path / "source.png")), tmp_path / "source")
    assert frozen.returncode == 0, frozen.stderr
    assert source.returncode == 0, source.stderr
    (frozen_size, frozen_pixels), (source_size, source_pixels) = (pixels(tmp_path / "frozen.png"),
                                                                  pixels(tmp_path / "source.png"))
    assert frozen_size == source_size == (1920, 1080)
    differing = sum(frozen_pixels[i:i + 4] != source_pixels[i:i + 4] for i in range(0, len(frozen_pixels), 4))
    # The fonts are bundled, so nothing should differ; a handful of anti-aliased pixels would be tolerable,
    # a missing font or catalog changes tens of thousands.
    assert differing <= 0.0005 * 1920 * 1080, f"{differing} pixels differ from the source screenshot"


def test_the_frozen_form_opens_its_keyboard_in_the_patients_alphabet(frozen_build: FrozenBuild,
                                                                      tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    from kiosk.outbox.sealing import generate_keypair

    config.write_text(f'[delivery]\nhospital_public_key = "{generate_keypair()[1]}"\n', encoding="utf-8")
    shot = ["screenshot", "--screen", "form", "--lang", "fa", "--keyboard", "phone", "--size", "1280x720",
            "--config", str(config), "--out"]
    frozen = run([str(frozen_build.executable), *shot, str(tmp_path / "frozen.png")], tmp_path / "frozen")
    source = run(from_source(*shot, str(tmp_path / "source.png")), tmp_path / "source")
    assert frozen.returncode == 0, frozen.stderr[-3000:]
    assert source.returncode == 0, source.stderr[-3000:]
    (frozen_size, frozen_pixels), (source_size, source_pixels) = (pixels(tmp_path / "frozen.png"),
                                                                  pixels(tmp_path / "source.png"))
    assert frozen_size == source_size == (1280, 720)
    differing = sum(frozen_pixels[i:i + 4] != source_pixels[i:i + 4] for i in range(0, len(frozen_pixels), 4))
    assert differing <= 0.0005 * 1280 * 720, f"{differing} pixels differ: the keyboard's Persian digits or icons"


def test_no_qml_or_input_method_plugin_ships(frozen_build: FrozenBuild) -> None:
    internal = frozen_build.folder / "_internal"
    assert not list(internal.rglob("*.qml")), "the kiosk loads no QML"
    assert not list(internal.rglob("*virtualkeyboard*"))
