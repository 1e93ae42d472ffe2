"""Pictures in a bundle reference nothing outside themselves: SVGs that could load a file, a style sheet,
a script or an entity are refused by the validator, the installer and the library; a file whose bytes are
of another type than its name says is refused too."""

from __future__ import annotations

import base64
import gzip
import struct
import zlib

import pytest
from nacl.signing import SigningKey

from kiosk.bundle.assetcheck import asset_problem, clean_svg, svg_problem
from kiosk.bundle.errors import BundleRefused
from kiosk.bundle.library import ContentLibrary
from kiosk.bundle.validate import validate_bundle
from tests.fixtures.hostile_archives.corpus import entries_for, members_of, raw_zip, signed_bundle
from tests.unit.test_bundle_support import LANGUAGES, SVG, make_content, open_store


def _png_bytes(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x00\x80\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _embedded(kind: str, data: bytes) -> str:
    return f'<image href="data:image/{kind};base64,{base64.b64encode(data).decode()}" width="9" height="9"/>'


PNG_4x4 = _png_bytes(4, 4)
PNG_BOMB_HEADER = _png_bytes(1, 1).replace(struct.pack(">II", 1, 1), struct.pack(">II", 60000, 60000), 1)
JPEG_BOMB_HEADER = b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08" + struct.pack(">HH", 60000, 60000) + bytes(12)
HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 9 9">'
HOSTILE_SVGS = {
    "image-absolute": '<image xlink:href="/etc/secret.png" width="9" height="9"/>',
    "image-file-url": '<image href="file:///etc/secret.png" width="9" height="9"/>',
    "image-dotdot": '<image xlink:href="../../secret.png" width="9" height="9"/>',
    "image-relative": '<image xlink:href="other.png" width="9" height="9"/>',
    "image-data-uri": '<image href="data:image/svg+xml;base64,PHN2Zy8+" width="9" height="9"/>',
    "image-remote": '<image href="https://example.org/x.png" width="9" height="9"/>',
    "image-other-prefix": '<image xmlns:q="urn:x" q:href="/etc/secret.png" width="9" height="9"/>',
    "use-external": '<use xlink:href="/etc/other.svg#a"/>',
    "link": '<a xlink:href="https://example.org"><rect width="9" height="9"/></a>',
    "script": "<script>alert(1)</script>",
    "prefixed-script": '<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>',
    "foreign-object": '<foreignObject width="9" height="9"><p xmlns="http://www.w3.org/1999/xhtml">x</p>'
                      "</foreignObject>",
    "style-import": "<style>@import url(/etc/x.css);</style>",
    "style-url": "<style>rect { fill: url(/etc/pattern.svg#p) }</style>",
    "style-escape": "<style>rect { fill: u\\72l(/etc/p.svg) }</style>",
    "attribute-url": '<rect fill="url(file:///etc/p.svg#p)" width="9" height="9"/>',
    "style-attribute-url": '<rect style="fill:url(\'/etc/p.svg#p\')" width="9" height="9"/>',
    "event-handler": '<rect onload="alert(1)" width="9" height="9"/>',
    "xml-base": '<g xml:base="/etc/"><rect width="9" height="9"/></g>',
    # Qt opens even '#id' on an <image> as a file name (relative to the SVG's folder or the working folder)
    "image-fragment": '<image xlink:href="#secret.png" width="9" height="9"/>',
    "image-src": '<image src="/etc/secret.png" width="9" height="9"/>',
    "fe-image": '<filter id="f"><feImage xlink:href="/etc/secret.png"/></filter>',
    "use-spaced-fragment": '<use xlink:href=" #a"/>',
    "use-relative": '<use xlink:href="other.svg#a"/>',
    # embedded pictures: only a strict base64 PNG or JPEG whose bytes are of that type and size
    "data-svg-declared-png": _embedded("png", b'<svg xmlns="http://www.w3.org/2000/svg"><image href="/etc/x"/></svg>'),
    "data-jpeg-declared-png": _embedded("png", b"\xff\xd8\xff\xe0" + bytes(20)),
    "data-twice": _embedded("png", PNG_4x4)[:-28] + 'base64,PHN2Zy8+" width="9" height="9"/>',
    "data-loose-base64": _embedded("png", PNG_4x4).replace("base64,", "base64, "),
    "data-not-base64": '<image href="data:image/png,%89PNG%0D%0A" width="9" height="9"/>',
    "data-gif": '<image href="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="9" height="9"/>',
    "data-png-bomb": _embedded("png", PNG_BOMB_HEADER),
    "data-jpeg-bomb": _embedded("jpeg", JPEG_BOMB_HEADER),
    # expat hands '&#117;' over as its own piece of text: the style sheet is checked whole
    "style-split-by-reference": "<style>rect { fill: &#117;rl(/etc/p.svg#p) }</style>",
    "style-attribute-upper-case": '<rect style="fill:URL(/etc/p.svg#p)" width="9" height="9"/>',
}


def hostile(name: str) -> bytes:
    return f"{HEAD}{HOSTILE_SVGS[name]}</svg>".encode()


@pytest.mark.parametrize("name", list(HOSTILE_SVGS))
def test_svg_that_could_load_anything_is_refused(name):
    assert svg_problem(hostile(name)) is not None


@pytest.mark.parametrize("name", list(HOSTILE_SVGS))
def test_what_qt_is_given_of_a_hostile_svg_loads_nothing(name):
    cleaned = clean_svg(hostile(name))
    assert cleaned is not None and svg_problem(cleaned) is None, cleaned
    assert b"/etc/" not in cleaned and b"secret" not in cleaned


def test_entities_cannot_be_cleaned_so_nothing_is_drawn():
    assert clean_svg(b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>') is None
    assert clean_svg(b"<html/>") is None


def test_cleaning_keeps_an_ordinary_svg_as_it_was_drawn():
    source = (f'{HEAD}<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs>'
              '<style>.a { fill: url(#g) }</style><rect class="a" width="9" height="4" title="a &amp; b"/>'
              f'<use xlink:href="#g"/>{_embedded("png", PNG_4x4)}</svg>').encode()
    assert svg_problem(source) is None
    cleaned = clean_svg(source)
    assert cleaned is not None and svg_problem(cleaned) is None
    for kept in (b'url(#g)', b'xlink:href="#g"', b"data:image/png;base64,", b'title="a &amp; b"', b"stop-color"):
        assert kept in cleaned


def test_embedded_png_and_jpeg_pass_and_are_drawn(qapp):
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    from kiosk.ui.widgets.safe_picture import decode_picture

    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(QColor("#00ff00"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPEG")
    jpeg = bytes(QByteArray(buffer.data()))
    for kind, data in (("png", PNG_4x4), ("jpeg", jpeg)):
        source = f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">{_embedded(kind, data)}</svg>'
        source = source.replace('width="9" height="9"', 'width="40" height="40"')
        assert svg_problem(source.encode()) is None, kind
        drawn = decode_picture("assets/photo.svg", source.encode())
        assert drawn is not None
        centre = drawn.pixelColor(20, 20)
        assert centre.alpha() == 255 and (centre.blue() > 200 if kind == "png" else centre.green() > 200), kind


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>',
    b'<?xml-stylesheet href="/etc/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    gzip.compress(SVG),
    b"<html><body>not a picture</body></html>",
    b"<svg><g>" * 40 + b"</g></svg>",
    "<svg>\u00e9</svg>".encode("utf-16"),
])
def test_entities_doctype_style_sheets_and_non_svg_are_refused(data):
    assert svg_problem(data) is not None


def test_ordinary_svgs_pass():
    from kiosk import paths

    assert svg_problem(SVG) is None
    assert svg_problem(f'{HEAD}<defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="9" height="9"/>'
                       '<use xlink:href="#g"/></svg>'.encode()) is None
    for path in (paths.shipped_content_dir() / "assets").rglob("*.svg"):
        assert svg_problem(path.read_bytes()) is None, path


@pytest.mark.parametrize("name,data", [
    ("assets/a.png", SVG), ("assets/a.jpg", b"\x89PNG\r\n\x1a\n"), ("assets/a.webp", b"RIFF0000WAVE"),
    ("assets/a.gif", b"GIF89a"),
])
def test_a_picture_must_be_of_the_type_its_name_says(name, data):
    assert asset_problem(name, data) is not None


def test_validator_and_library_refuse_a_hostile_svg_used_or_not(tmp_path):
    root = make_content(tmp_path / "c")
    (root / "assets" / "diagram.svg").write_bytes(hostile("image-absolute"))  # shown on a page
    (root / "assets" / "icons" / "care.svg").write_bytes(hostile("script"))  # a tile's icon
    (root / "assets" / "spare.svg").write_bytes(hostile("use-external"))  # in the bundle, used by nothing
    (root / "assets" / "fake.png").write_bytes(SVG)
    errors = {(p.file, p.code) for p in validate_bundle(root, LANGUAGES) if p.is_error}
    assert {("assets/diagram.svg", "unsafe-asset"), ("assets/icons/care.svg", "unsafe-asset"),
            ("assets/spare.svg", "unsafe-asset"), ("assets/fake.png", "unsafe-asset")} <= errors
    library = ContentLibrary(root)
    assert library.resolve_asset("assets/diagram.svg") is None
    assert library.icon_path("care") is None and library.icon_path("intro") is not None


def test_a_signed_bundle_with_a_hostile_svg_is_refused(tmp_path):
    key = SigningKey.generate()
    root = make_content(tmp_path / "c", version=2)
    (root / "assets" / "diagram.svg").write_bytes(hostile("image-file-url"))
    members = members_of(root)
    bundle = signed_bundle(tmp_path / "svg.kbundle", key, raw_zip(members), entries_for(members))
    store = open_store(tmp_path / "store", key)
    with pytest.raises(BundleRefused) as caught:
        store.install(bundle)
    assert caught.value.reason == "unsafe-asset" and "assets/diagram.svg" in caught.value.message
    assert store.active_root() is None


def test_validate_and_build_refuse_each_hostile_svg_naming_the_file(tmp_path):
    from kiosk.bundle.build import BuildError, build_bundle

    key = SigningKey.generate()
    root = make_content(tmp_path / "c")
    for name in HOSTILE_SVGS:
        (root / "assets" / f"{name}.svg").write_bytes(hostile(name))
    errors = [p for p in validate_bundle(root, LANGUAGES) if p.is_error]
    refused = {p.file for p in errors if p.code == "unsafe-asset"}
    assert refused == {f"assets/{name}.svg" for name in HOSTILE_SVGS}
    for problem in errors:
        assert str(problem).startswith(f"{problem.file}: error: ") and "the kiosk will not show it" in str(problem)
    with pytest.raises(BuildError) as caught:
        build_bundle(root, key, tmp_path / "out.kbundle")
    assert {p.file for p in caught.value.problems if p.code == "unsafe-asset"} == refused
    assert not (tmp_path / "out.kbundle").exists()
