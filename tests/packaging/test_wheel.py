"""The wheel and the sdist: built by pip, installed into a fresh virtual environment, run from a foreign folder.

The fresh environment sees the dependencies already installed for the tests (a path entry to their
site-packages, not the source checkout), so `pip check` holds the wheel's declared dependencies against them
without downloading Qt again; the kiosk itself comes only from the wheel.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import tarfile
import venv
from pathlib import Path

import pytest

import kiosk
from tests.packaging.conftest import REPO_ROOT, kiosk_env

pytestmark = pytest.mark.slow

SHIPPED_LANGUAGES = {"tr", "ar", "fa", "ru", "de", "fr", "uk"}


def sh(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
    return result


@pytest.fixture(scope="module")
def build_tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with PyPA's `build`, which makes both artifacts in isolated build environments."""
    folder = tmp_path_factory.mktemp("build-tool") / "env"
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    sh([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "build"], cwd=folder)
    return python


def build(build_python: Path, kind: str, out: Path) -> Path:
    """``kind`` is "wheel" or "sdist"; returns the one file `python -m build` made."""
    sh([str(build_python), "-m", "build", f"--{kind}", "--outdir", str(out), str(REPO_ROOT)], cwd=REPO_ROOT)
    [artifact] = out.glob("*.whl" if kind == "wheel" else "*.tar.gz")
    return artifact


def fresh_environment(folder: Path, artifact: Path) -> Path:
    """A new venv with ``artifact`` installed; returns its ``kiosk`` command."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    site = Path(sh([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                   cwd=folder).stdout.strip())
    # The test environment's libraries as a plain path entry: their .pth files (the editable checkout) are not
    # processed, so `import kiosk` can only find the installed wheel.
    (site / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    # The checkout's own editable install is on that path too: --ignore-installed keeps pip from taking it for
    # this one (and from touching it); `pip check` then holds the wheel's declared dependencies against the path.
    sh([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps", "--ignore-installed",
        str(artifact)], cwd=folder)
    sh([str(python), "-m", "pip", "check", "--disable-pip-version-check"], cwd=folder)
    return folder / "bin" / "kiosk"


def installed_env(home: Path) -> dict[str, str]:
    """A kiosk environment without PYTHONPATH: the tests' own path would put the checkout before the wheel."""
    env = kiosk_env(home)
    env.pop("PYTHONPATH", None)
    return env


def pixels(path: Path) -> tuple[tuple[int, int], bytes]:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not an image"
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return (image.width(), image.height()), bytes(image.constBits())


@pytest.fixture(scope="module")
def wheel(build_tool: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(build_tool, "wheel", tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def installed_kiosk(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_environment(tmp_path_factory.mktemp("venv") / "env", wheel)


def test_wheel_carries_content_compiled_catalogs_fonts_and_icons(wheel: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    data = "kiosk/_data"
    assert f"{data}/content/manifest.toml" in names
    assert {name.split("/")[3] for name in names if name.endswith("/LC_MESSAGES/kiosk.mo")} == SHIPPED_LANGUAGES
    assert not [name for name in names if name.endswith(".po")]
    for font in ("NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf", "OFL.txt"):
        assert f"{data}/resources/fonts/{font}" in names
    icons = {path.name for path in (REPO_ROOT / "resources" / "icons").iterdir()}
    assert {name.rsplit("/", 1)[1] for name in names if name.startswith(f"{data}/resources/icons/")} == icons


def test_installed_kiosk_checks_its_shipped_content(installed_kiosk: Path, tmp_path: Path) -> None:
    result = sh([str(installed_kiosk), "--version"], cwd=tmp_path, env=installed_env(tmp_path / "home"))
    assert result.stdout.strip() == f"kiosk {kiosk.__version__}"
    report = json.loads(sh([str(installed_kiosk), "check", "--json"], cwd=tmp_path,
                           env=installed_env(tmp_path / "home")).stdout)
    content = Path(report["content"])
    assert content.name == "content" and content.parent.name == "_data", content
    assert not content.is_relative_to(REPO_ROOT)
    summary = sh([str(installed_kiosk), "check"], cwd=tmp_path, env=installed_env(tmp_path / "home"))
    source = sh([sys.executable, "-m", "kiosk", "check"], cwd=REPO_ROOT, env=kiosk_env(tmp_path / "source-home"))
    assert summary.stdout == source.stdout


def test_installed_arabic_home_screen_matches_the_source(installed_kiosk: Path, tmp_path: Path) -> None:
    shot = ["screenshot", "--screen", "home", "--lang", "ar", "--size", "1280x720", "--out"]
    sh([str(installed_kiosk), *shot, str(tmp_path / "wheel.png")], cwd=tmp_path, env=installed_env(tmp_path / "w"))
    sh([sys.executable, "-m", "kiosk", *shot, str(tmp_path / "source.png")], cwd=REPO_ROOT,
       env=kiosk_env(tmp_path / "s"))
    (size, wheel_pixels), (source_size, source_pixels) = pixels(tmp_path / "wheel.png"), pixels(tmp_path / "source.png")
    assert size == source_size == (1280, 720)
    assert len({wheel_pixels[i:i + 4] for i in range(0, len(wheel_pixels), 4)}) > 50, "the screenshot is blank"
    differing = sum(wheel_pixels[i:i + 4] != source_pixels[i:i + 4] for i in range(0, len(wheel_pixels), 4))
    # A missing catalog (English, left-to-right), font or icon changes tens of thousands of pixels.
    assert differing <= 0.0005 * 1280 * 720, f"{differing} pixels differ from the source screenshot"


def test_sdist_carries_the_data_and_installs_a_working_kiosk(build_tool: Path, tmp_path: Path) -> None:
    sdist = build(build_tool, "sdist", tmp_path / "sdist")
    with tarfile.open(sdist) as archive:
        inside = {"/".join(Path(name).parts[1:]) for name in archive.getnames()}
    for required in ("content/manifest.toml", "translations/messages.pot", "translations/ar/LC_MESSAGES/kiosk.po",
                     "resources/fonts/NotoSansArabic-Regular.ttf", "resources/icons/home.svg", "setup.py",
                     "LICENSE", "CHANGELOG.md"):
        assert required in inside, f"{required} is not in the sdist"
    installed = fresh_environment(tmp_path / "env", sdist)
    home = tmp_path / "home"
    report = json.loads(sh([str(installed), "check", "--json"], cwd=tmp_path, env=installed_env(home)).stdout)
    assert Path(report["content"]).parent.name == "_data"
    sh([str(installed), "screenshot", "--screen", "home", "--lang", "ar", "--size", "640x360", "--out",
        str(tmp_path / "sdist.png")], cwd=tmp_path, env=installed_env(home))
    size, image = pixels(tmp_path / "sdist.png")
    assert size == (640, 360)
    assert len({image[i:i + 4] for i in range(0, len(image), 4)}) > 50, "the screenshot is blank"
