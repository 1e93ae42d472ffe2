"""Is a picture in a bundle only a picture? Its bytes must be of the type its name says, and an SVG must
reference nothing outside itself.

Qt's SVG reader (used by QImageReader, QIcon and so by the reader and the topic tiles) opens whatever an
``<image href>`` names, absolute, ``file:``, ``../`` or a bare name (relative to the SVG's folder, or to the
kiosk's working folder when the SVG comes from memory); and QImageReader guesses the format from the bytes
when the name's type does not fit, so an SVG renamed ``.png`` would be read as an SVG. Two layers:

* ``svg_problem`` refuses, with a sentence naming what it found: the validator (an error, so ``bundle
  build`` builds nothing), the installer, ``ContentLibrary.resolve_asset`` (the kiosk treats it as missing)
  and the reader (decodes only bytes that passed, with the format fixed).
* ``clean_svg`` is what Qt is actually given: the SVG rebuilt from what expat parsed, keeping only what
  cannot load anything. A construct the check missed, or a difference between expat and Qt's own XML
  reader, still cannot reach Qt, because Qt parses text written here.

An SVG is parsed with expat, with no DTD allowed, and must have:

* no DOCTYPE (entities, external subsets), no processing instructions (``<?xml-stylesheet?>``);
* no ``script``, ``foreignObject`` and other elements that embed or load (by local name, any prefix);
* every ``href`` (any prefix: ``xlink:href``, ``href``) a same-document ``#id``, except on ``<image>`` and
  ``<feImage>``, where it must be an embedded ``data:image/png;base64,`` or ``data:image/jpeg;base64,``
  picture whose bytes are of that type and at most ``MAX_EMBEDDED_PIXELS`` (Qt resolves even ``#id`` there
  as a file name); no ``src``, no ``xml:base``, no ``on*`` handlers;
* no CSS ``@import``, no ``url(...)`` to anything but ``#id``, no CSS escapes, in attributes and in
  ``<style>``;
* size, element count and nesting within ``contentlimits``.

Raster pictures (PNG, JPEG, WebP) cannot reference anything; they are checked for their type only.
"""

from __future__ import annotations

import base64
import re
import struct
from pathlib import PurePosixPath
from xml.parsers import expat

from kiosk.bundle.contentlimits import MAX_SVG_BYTES, MAX_SVG_DEPTH, MAX_SVG_ELEMENTS

_MAGIC = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
FORBIDDEN_SVG_ELEMENTS = frozenset({
    "script", "foreignobject", "iframe", "object", "embed", "audio", "video", "animation", "handler",
    "listener", "prefetch", "discard", "font-face-uri", "include", "link", "meta",
})
_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)


class _Refused(Exception):
    pass


def asset_problem(relative: str, data: bytes) -> str | None:
    """Why the picture ``relative`` (its bytes ``data``) must not be shown, or None when it is safe."""
    suffix = PurePosixPath(relative).suffix.lower()
    if suffix == ".svg":
        return svg_problem(data)
    if suffix == ".webp":
        if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return None
        return "not a WebP image (its bytes are of another type)"
    signatures = _MAGIC.get(suffix)
    if signatures is None:
        return f"pictures of type {suffix or '(none)'} are not shown"
    if not data.startswith(signatures):
        return f"not a {suffix[1:].upper()} image (its bytes are of another type)"
    return None


def svg_problem(data: bytes) -> str | None:
    """Why an SVG could load something outside itself or is too big to draw, or None."""
    if len(data) > MAX_SVG_BYTES:
        return f"the SVG is {len(data) // 1024} KiB (limit {MAX_SVG_BYTES // 1024} KiB)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "the SVG is not UTF-8 text (compressed or in another encoding)"
    checker = _SvgWalker()
    try:
        checker.parse(text)
    except _Refused as refusal:
        return str(refusal)
    except expat.ExpatError as error:
        return f"the SVG is not well-formed XML ({expat.ErrorString(error.code)}, line {error.lineno})"
    if checker.root != "svg":
        return "the file is not an SVG (its first element is not <svg>)"
    return None


def clean_svg(data: bytes) -> bytes | None:
    """The SVG rebuilt with only what cannot load anything, for Qt to draw; None when it cannot be (not
    UTF-8 XML, a DOCTYPE or entity, over the size limits, not an SVG)."""
    if len(data) > MAX_SVG_BYTES:
        return None
    try:
        walker = _SvgWalker(clean=True)
        walker.parse(data.decode("utf-8"))
    except (UnicodeDecodeError, _Refused, expat.ExpatError):
        return None
    if walker.root != "svg":
        return None
    return "".join(walker.output).encode("utf-8")


_FRAGMENT = re.compile(r"#[A-Za-z_][A-Za-z0-9_.:-]*")
# Qt decodes what follows the last "base64," with a decoder that skips stray characters; one strict form
# leaves no room for the two decoders to disagree.
_DATA_URI = re.compile(r"data:image/(png|jpeg);base64,([A-Za-z0-9+/]*={0,2})")
_IMAGE_ELEMENTS = frozenset({"image", "feimage"})
MAX_EMBEDDED_PIXELS = 4096 * 4096


class _SvgWalker:
    """Walks an SVG as expat parses it. Strict (the check): the first problem raises ``_Refused``. Cleaning:
    problems are left out of ``output``, which is the SVG rebuilt from what was parsed."""

    def __init__(self, clean: bool = False) -> None:
        self.clean = clean
        self.root: str | None = None
        self.depth = 0
        self.elements = 0
        self.style_depths: list[int] = []
        self.style_text: list[str] = []
        self.skip_from: int | None = None  # depth of a dropped element: everything inside goes too
        self.output: list[str] = []

    def parse(self, text: str) -> None:
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._external_entity
        parser.ProcessingInstructionHandler = self._processing_instruction
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.Parse(text, True)

    def _problem(self, message: str) -> None:
        if not self.clean:
            raise _Refused(message)

    # expat calls these. Entities cannot be cleaned away (expat would expand them): refused in both modes.
    def _doctype(self, *_args: object) -> None:
        raise _Refused("the SVG has a DOCTYPE (entities and external definitions are not allowed)")

    def _entity(self, *_args: object) -> None:
        raise _Refused("the SVG declares an entity")

    def _external_entity(self, *_args: object) -> int:
        raise _Refused("the SVG references an external entity")

    def _processing_instruction(self, target: str, _data: str) -> None:
        self._problem(f"the SVG has a processing instruction <?{target}?> (style sheets are not allowed)")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = _local(name).lower()
        if self.root is None:
            self.root = local
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_SVG_DEPTH:
            raise _Refused(f"SVG elements nested more than {MAX_SVG_DEPTH} deep (limit {MAX_SVG_DEPTH})")
        if self.elements > MAX_SVG_ELEMENTS:
            raise _Refused(f"more than {MAX_SVG_ELEMENTS} SVG elements (limit {MAX_SVG_ELEMENTS})")
        if self.skip_from is not None:
            return
        if local in FORBIDDEN_SVG_ELEMENTS:
            self._problem(f"the SVG has a <{_local(name)}> element, which can run or load something")
            self.skip_from = self.depth
            return
        kept = []
        for attribute, value in attributes.items():
            problem = _attribute_problem(local, attribute, value)
            if problem is None:
                kept.append(f' {attribute}="{_escape(value)}"')
            else:
                self._problem(problem)
        self.output.append(f"<{name}{''.join(kept)}>")
        if local == "style":
            self.style_depths.append(self.depth)

    def _end(self, name: str) -> None:
        if self.style_depths and self.style_depths[-1] == self.depth:
            self.style_depths.pop()
            self._style_sheet()
        if self.skip_from is None:
            self.output.append(f"</{name}>")
        elif self.skip_from == self.depth:
            self.skip_from = None
        self.depth -= 1

    def _text(self, data: str) -> None:
        if self.skip_from is not None:
            return
        if self.style_depths:
            self.style_text.append(data)
        else:
            self.output.append(_escape(data))

    def _style_sheet(self) -> None:
        # Checked whole: expat hands text over in pieces (at a line end, at a character reference such as
        # &#117;), and "url(" split over two pieces would pass a piece-by-piece check.
        text, self.style_text = "".join(self.style_text), []
        problem = _css_problem(text, "<style>")
        if problem is not None:
            self._problem(problem)
            return  # cleaning: the style sheet is left out
        self.output.append(_escape(text))


def _attribute_problem(element: str, attribute: str, value: str) -> str | None:
    attribute_local = _local(attribute).lower()
    if attribute_local == "href":
        if element in _IMAGE_ELEMENTS:
            return _embedded_problem(value)
        if not _FRAGMENT.fullmatch(value):
            return (f"the SVG references {value.strip()[:80]!r}; only '#id' links inside the SVG are "
                    "allowed")
        return None
    if attribute == "xml:base" or attribute_local == "src" or attribute_local.startswith("on"):
        return f"the SVG has a {attribute!r} attribute"
    return _css_problem(value, f"attribute {attribute!r}")


def _embedded_problem(value: str) -> str | None:
    """Why the ``href`` of an ``<image>`` inside an SVG is not an embedded PNG or JPEG, or None."""
    shown = value.strip()[:80]
    match = _DATA_URI.fullmatch(value)
    if match is None:
        return (f"the SVG's <image> references {shown!r}; a picture inside an SVG must be embedded as "
                "data:image/png;base64,... or data:image/jpeg;base64,...")
    data = base64.b64decode(match.group(2), validate=True)
    kind = match.group(1)
    size = _png_size(data) if kind == "png" else _jpeg_size(data)
    if size is None:
        return f"the SVG embeds a picture declared image/{kind} whose bytes are not a {kind.upper()} image"
    if size[0] * size[1] > MAX_EMBEDDED_PIXELS:
        return f"the SVG embeds a picture of {size[0]}x{size[1]} pixels (limit {MAX_EMBEDDED_PIXELS:,} pixels)"
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(_MAGIC[".png"][0]) or len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the first start-of-frame marker, or None if the bytes are not a JPEG."""
    if not data.startswith(_MAGIC[".jpg"][0]):
        return None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + length
    return None


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\r", "&#13;").replace("\t", "&#9;").replace("\n", "&#10;"))


def _css_problem(text: str, where: str) -> str | None:
    lowered = text.lower()
    if "@import" in lowered:
        return f"the SVG imports a style sheet ({where})"
    if "\\" in text and ("url" in lowered or where == "<style>" or "style" in where):
        return f"the SVG has a CSS escape ({where})"
    for match in _URL.finditer(text):
        if not match.group(1).startswith("#"):
            return f"the SVG loads {match.group(1)[:80]!r} ({where}); only url(#id) is allowed"
    return None


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]
