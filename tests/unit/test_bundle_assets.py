"""Pictures in a bundle reference nothing outside themselves: SVGs that could load a file, a style sheet,
a script or an entity are refused by the validator, the installer and the library; a file whose bytes are
of another type than its name says is refused too."""

from __future__ import annotations

import gzip

import pytest
from nacl.signing import SigningKey

from kiosk.bundle.assetcheck import asset_problem, svg_problem
from kiosk.bundle.errors import BundleRefused
from kiosk.bundle.library import ContentLibrary
from kiosk.bundle.validate import validate_bundle
from tests.fixtures.hostile_archives.corpus import entries_for, members_of, raw_zip, signed_bundle
from tests.unit.test_bundle_support import LANGUAGES, SVG, make_content, open_store

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
}


def hostile(name: str) -> bytes:
    return f"{HEAD}{HOSTILE_SVGS[name]}</svg>".encode()


@pytest.mark.parametrize("name", list(HOSTILE_SVGS))
def test_svg_that_could_load_anything_is_refused(name):
    assert svg_problem(hostile(name)) is not None


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
