"""Hostile Markdown must not read files outside the content, open anything external, or blank the page."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QColor, QDesktopServices, QImage, QTextCursor, QTextDocument

SECTION = "hostile"


def _png(path: Path, width: int, height: int, color: QColor) -> None:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(color)
    assert image.save(str(path), "PNG")


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A tiny file that declares an enormous image (a decompression bomb's first bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))


@pytest.fixture
def hostile_content(tmp_path: Path) -> tuple[Path, Path]:
    secret = tmp_path / "secret.png"
    _png(secret, 60, 60, QColor("#ff0000"))
    (tmp_path / "secret.md").write_text("# Secret\n\nTOP SECRET TEXT\n", encoding="utf-8")
    root = tmp_path / "content"
    (root / "en").mkdir(parents=True)
    (root / "assets").mkdir()
    _png(root / "assets" / "ok.png", 60, 60, QColor("#0000ff"))
    _png_header_only(root / "assets" / "bomb.png", 60000, 60000)
    (root / "assets" / "escape.png").symlink_to(secret)
    (root / "manifest.toml").write_text(
        'id = "hostile"\nversion = 1\ndefault_language = "en"\n'
        '[[sections]]\nid = "hostile"\nicon = ""\n[[sections]]\nid = "other"\nicon = ""\n',
        encoding="utf-8")
    s = str(secret)
    lines = [
        "# Hostile", "", "Safe paragraph survives.", "",
        f"[file link](file://{s}) [abs](/{s}) [dotdot](../../secret.md) [qrc](qrc:/qt-project.org/x)",
        "[js](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [web](https://example.org/)",
        "[http](http://127.0.0.1:9/steal) [mail](mailto:a@b.c) [other section](other.md)", "",
        f"![f](file://{s}) ![a]({s}) ![d](../secret.png) ![q](qrc:/qt-project.org/qmessagebox/images/qtlogo-64.png)",
        "![b64](data:image/png;base64,iVBORw0KGgo=) ![remote](https://example.org/x.png) ![bomb](assets/bomb.png)",
        "![escape](assets/escape.png) ![ok](assets/ok.png)", "",
        f'<img src="file://{s}"> <img src="{s}"> <a href="file://{s}">raw</a>',
        "<script>alert('x')</script><iframe src='https://example.org'></iframe>",
        '<style>body{background:url(file:///etc/passwd)}</style><object data="x"></object>',
        '<p onclick="alert(1)" style="background-image:url(file:///etc/passwd)">Styled</p>',
        f'<link rel="stylesheet" href="file://{s}">', "",
        "End of hostile page.",
    ]
    (root / "en" / f"{SECTION}.md").write_text("\n".join(lines), encoding="utf-8")
    (root / "en" / "other.md").write_text("# Other\n\nThe other section.\n", encoding="utf-8")
    return root, secret


class _UrlRecorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def record(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def url_recorder():
    recorder = _UrlRecorder()
    schemes = ("http", "https", "file", "javascript", "data", "qrc", "mailto")
    for scheme in schemes:
        QDesktopServices.setUrlHandler(scheme, recorder, "record")
    yield recorder
    for scheme in schemes:
        QDesktopServices.unsetUrlHandler(scheme)


def _anchor_positions(browser) -> list[tuple[str, int]]:
    anchors = []
    block = browser.document().begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid() and fragment.charFormat().isAnchor():
                anchors.append((fragment.charFormat().anchorHref(), fragment.position() + 1))
            iterator += 1
        block = block.next()
    return anchors


def _count_pixels(image: QImage, predicate) -> int:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    return sum(1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
               if predicate(image.pixelColor(x, y)))


def test_hostile_page_renders_safely(qtbot, make_kiosk, hostile_content, url_recorder):
    root, _secret = hostile_content
    kiosk = make_kiosk(content=root, size=(1920, 1080))
    kiosk.navigator.open_section(SECTION)
    browser = kiosk.reader.browser
    text = browser.toPlainText()
    assert "Safe paragraph survives." in text and "End of hostile page." in text
    assert "TOP SECRET" not in text and "alert" not in text
    qtbot.wait(50)
    shot = browser.viewport().grab().toImage()
    red = _count_pixels(shot, lambda c: c.red() > 200 and c.green() < 60 and c.blue() < 60)
    blue = _count_pixels(shot, lambda c: c.blue() > 200 and c.red() < 60 and c.green() < 60)
    assert red == 0, "an image from outside the content folder was displayed"
    assert blue > 0, "the allowed image inside the content folder should be displayed"


def test_every_link_tap_opens_nothing_outside(qtbot, make_kiosk, hostile_content, url_recorder):
    root, _secret = hostile_content
    kiosk = make_kiosk(content=root)
    kiosk.navigator.open_section(SECTION)
    browser = kiosk.reader.browser
    anchors = _anchor_positions(browser)
    hrefs = [href for href, _ in anchors]
    assert hrefs == ["section:other"], f"only the internal link may keep a target, got {hrefs}"
    # Tap every piece of link text, including those whose target was removed.
    length = len(browser.toPlainText())
    for position in range(0, length, 7):
        if kiosk.navigator.section != SECTION:
            kiosk.navigator.open_section(SECTION)  # the one internal link moved us; come back
        cursor = QTextCursor(browser.document())
        cursor.setPosition(position)
        point = browser.cursorRect(cursor).center()
        qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert url_recorder.opened == []
    assert kiosk.navigator.section in (SECTION, "other")


def test_anchor_signal_with_external_urls_does_nothing(make_kiosk, hostile_content, url_recorder):
    root, secret = hostile_content
    kiosk = make_kiosk(content=root)
    kiosk.navigator.open_section(SECTION)
    for url in (f"file://{secret}", "https://example.org", "javascript:alert(1)", "qrc:/x", "data:text/html,x",
                str(secret), "../secret.md", "section:nonexistent"):
        kiosk.reader.browser.anchorClicked.emit(QUrl(url))
        assert kiosk.navigator.section == SECTION
    assert url_recorder.opened == []
    kiosk.reader.browser.anchorClicked.emit(QUrl("section:other"))
    assert kiosk.navigator.section == "other"


@pytest.mark.parametrize("form", [
    "file://{secret}", "{secret}", "../secret.png", "../../secret.png", "qrc:/qt-project.org/x.png",
    "data:image/png;base64,iVBORw0KGgo=", "https://example.org/x.png", "assets/escape.png", "assets/bomb.png",
    "assets/../../secret.png", "//example.org/x.png", "assets\\..\\..\\secret.png",
])
def test_load_resource_refuses_everything_outside(make_kiosk, hostile_content, form):
    root, secret = hostile_content
    kiosk = make_kiosk(content=root)
    browser = kiosk.reader.browser
    image = browser.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(form.format(secret=secret)))
    assert isinstance(image, QImage) and image.size().width() == 1
    for kind in (QTextDocument.ResourceType.StyleSheetResource, QTextDocument.ResourceType.HtmlResource):
        data = browser.loadResource(kind.value, QUrl(form.format(secret=secret)))
        assert not bytes(data)


def test_load_resource_serves_images_inside_the_content(make_kiosk, hostile_content):
    root, _secret = hostile_content
    kiosk = make_kiosk(content=root)
    image = kiosk.reader.browser.loadResource(QTextDocument.ResourceType.ImageResource.value,
                                              QUrl("assets/ok.png"))
    assert isinstance(image, QImage) and image.width() == 60


def test_check_reports_what_was_refused(hostile_content, config):
    from kiosk.checks import run_check

    root, _secret = hostile_content
    report = run_check(config.with_overrides(languages__enabled=["en"]), root)
    joined = "\n".join(report.problems)
    assert "link refused" in joined and "image refused" in joined and "raw HTML" in joined


# --- pictures that try to read files outside the content: proved with strace -------------------------------
_RENDER_CHILD = """
import sys
from pathlib import Path
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QUrl
from PySide6.QtGui import QImageReader, QTextDocument
from PySide6.QtWidgets import QApplication
from kiosk.bundle.library import ContentLibrary
from kiosk.ui.widgets.safe_browser import SafeTextBrowser
from kiosk.ui.widgets.safe_picture import decode_unchecked
from kiosk.ui.widgets.tile import SectionTile

app = QApplication(["child"])
root, mode = Path(sys.argv[1]), sys.argv[2]
names = sorted(p.relative_to(root).as_posix() for p in (root / "assets").glob("*.svg"))
if mode == "unsafe":  # the control: what Qt does with these files when nothing stands in the way
    for name in names:
        QImageReader(str(root / name)).read()  # from the file: relative to its folder
        buffer = QBuffer()  # from memory: relative to the working folder
        buffer.setData(QByteArray((root / name).read_bytes()))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        QImageReader(buffer, b"svg").read()
    sys.exit(0)
if mode == "renderer":  # the second layer alone: no check, every hostile SVG handed to the decoder
    drawn = [decode_unchecked(name, (root / name).read_bytes()) for name in names]
    print("rendered", sum(image is not None for image in drawn), "of", len(names))
    sys.exit(0)
library = ContentLibrary(root)
for section in library.section_ids:
    SectionTile(section, library.icon_path(section)).set_icon_size(96)
browser = SafeTextBrowser(library.resolve_asset)
browser.resize(800, 600)
browser.setHtml(library.page("hostile", "en").html)
browser.viewport().grab()
# The browser's own backstop, with a resolver that checks nothing: it must still refuse to decode them.
naive = SafeTextBrowser(lambda relative: root / relative)
for name in names:
    naive.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name))
print("rendered", len(names))
"""


def _svg(reference: str) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" '
            f'height="20"><image xlink:href="{reference}" width="20" height="20"/></svg>')


def _traced_render(tmp_path: Path, root: Path, mode: str, cwd: Path) -> tuple[str, str]:
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (scripts/setup --dev installs it)")
    trace = tmp_path / f"trace-{mode}.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run(
        ["strace", "-f", "-qq", "-o", str(trace), "-e", "trace=open,openat,openat2,stat,statx,newfstatat,access",
         sys.executable, "-P", "-c", _RENDER_CHILD, str(root), mode],  # -P: imports never look in cwd
        capture_output=True, text=True, env=env, timeout=120, check=False, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return trace.read_text(encoding="utf-8", errors="replace"), result.stdout


def test_no_file_outside_the_content_is_opened_by_a_hostile_svg(tmp_path):
    outside = tmp_path / "outside"  # also the working folder, which a bare name is relative to
    outside.mkdir()
    for name in ("secret.png", "relative-secret.png", "#fragment-secret.png"):
        _png(outside / name, 20, 20, QColor("#ff0000"))
    secret = outside / "secret.png"
    root = tmp_path / "content"
    (root / "en").mkdir(parents=True)
    (root / "assets").mkdir()
    references = {"absolute": str(secret), "file-url": f"file://{secret}", "dotdot": "../../outside/secret.png",
                  "deep-dotdot": "../../../../" + str(secret).lstrip("/"), "relative": "relative-secret.png",
                  "fragment-on-image": "#fragment-secret.png"}
    for name, reference in references.items():
        (root / "assets" / f"{name}.svg").write_text(_svg(reference), encoding="utf-8")
    # What the check alone would not have caught before: 'url(' split by a character reference.
    (root / "assets" / "style-split.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><style>rect { fill: &#117;rl('
        f'{outside}/style-secret.svg#p) }}</style><rect width="20" height="20"/></svg>', encoding="utf-8")
    (root / "manifest.toml").write_text(
        'id = "hostile"\nversion = 1\ndefault_language = "en"\n'
        '[[sections]]\nid = "hostile"\nicon = "assets/absolute.svg"\n'
        '[[sections]]\nid = "other"\nicon = "assets/relative.svg"\n', encoding="utf-8")
    images = "\n\n".join(f"![{name}](assets/{name}.svg)" for name in [*references, "style-split"])
    (root / "en" / f"{SECTION}.md").write_text(f"# Hostile\n\nText.\n\n{images}\n", encoding="utf-8")
    (root / "en" / "other.md").write_text("# Other\n\nText.\n", encoding="utf-8")

    control, _ = _traced_render(tmp_path, root, "unsafe", cwd=outside)
    for target in (str(secret), "relative-secret.png", "#fragment-secret.png"):
        assert target in control, f"the control must show strace seeing Qt open {target}"

    for mode in ("kiosk", "renderer"):
        traced, printed = _traced_render(tmp_path, root, mode, cwd=outside)
        opened_outside = [line for line in traced.splitlines() if "secret" in line or str(outside) in line]
        assert opened_outside == [], (mode, opened_outside)
    assert printed.strip() == f"rendered {len(references) + 1} of {len(references) + 1}"  # cleaned, still drawn


def test_a_tile_draws_a_safe_icon_and_nothing_for_a_hostile_one(qtbot, tmp_path):
    from kiosk.ui.widgets.tile import SectionTile

    safe = tmp_path / "safe.svg"
    safe.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" '
                    'fill="#0000ff"/></svg>', encoding="utf-8")
    hostile = tmp_path / "hostile.svg"
    hostile.write_text(_svg(str(tmp_path / "secret.png")), encoding="utf-8")
    shown = SectionTile("a", safe)
    qtbot.addWidget(shown)
    pixmap = shown.icon_label.pixmap()
    assert not pixmap.isNull()
    assert pixmap.deviceIndependentSize().toSize().width() == 96
    assert pixmap.toImage().pixelColor(10, 10) == QColor("#0000ff")
    refused = SectionTile("b", hostile)  # handed over unchecked: the tile checks the bytes itself
    qtbot.addWidget(refused)
    assert refused.icon_label.pixmap().isNull()
