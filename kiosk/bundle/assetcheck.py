"""Is a picture in a bundle only a picture? Its bytes must be of the type its name says, and an SVG must
reference nothing outside itself.

Qt's SVG reader (used by QImageReader, QIcon and so by the reader and the topic tiles) opens whatever an
``<image href>`` names, absolute, ``file:`` or ``../`` path alike, even when the SVG comes from memory; and
QImageReader guesses the format from the bytes when the name's type does not fit, so an SVG renamed
``.png`` would be read as an SVG. Nothing here rewrites an SVG: one that could load anything is refused
whole, by the validator (an error), by ``ContentLibrary.resolve_asset`` (the kiosk treats it as missing)
and by the reader, which decodes only bytes that passed this check, with the format fixed.

An SVG is parsed with expat, with no DTD allowed, so what is checked is what Qt's XML reader sees:

* no DOCTYPE (entities, external subsets), no processing instructions (``<?xml-stylesheet?>``);
* no ``script``, ``foreignObject`` and other elements that embed or load (by local name, any prefix);
* every ``href`` (any prefix: ``xlink:href``, ``href``) a same-document ``#fragment``; no ``xml:base``;
* no CSS ``@import``, no ``url(...)`` to anything but ``#fragment``, no CSS escapes, in attributes and in
  ``<style>``;
* size, element count and nesting within ``contentlimits``.
"""

from __future__ import annotations

import re
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
    checker = _SvgChecker()
    try:
        checker.parse(text)
    except _Refused as refusal:
        return str(refusal)
    except expat.ExpatError as error:
        return f"the SVG is not well-formed XML ({expat.ErrorString(error.code)}, line {error.lineno})"
    if checker.root != "svg":
        return "the file is not an SVG (its first element is not <svg>)"
    return None


class _SvgChecker:
    def __init__(self) -> None:
        self.root: str | None = None
        self.depth = 0
        self.elements = 0
        self.in_style = 0

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

    # expat calls these; each raises to stop at the first problem.
    def _doctype(self, *_args: object) -> None:
        raise _Refused("the SVG has a DOCTYPE (entities and external definitions are not allowed)")

    def _entity(self, *_args: object) -> None:
        raise _Refused("the SVG declares an entity")

    def _external_entity(self, *_args: object) -> int:
        raise _Refused("the SVG references an external entity")

    def _processing_instruction(self, target: str, _data: str) -> None:
        raise _Refused(f"the SVG has a processing instruction <?{target}?> (style sheets are not allowed)")

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
        if local in FORBIDDEN_SVG_ELEMENTS:
            raise _Refused(f"the SVG has a <{_local(name)}> element, which can run or load something")
        for attribute, value in attributes.items():
            attribute_local = _local(attribute).lower()
            if attribute_local == "href" and not value.strip().startswith("#"):
                raise _Refused(f"the SVG references {value.strip()[:80]!r}; only '#' links inside the SVG are "
                               "allowed")
            if attribute == "xml:base" or attribute_local == "src" or attribute_local.startswith("on"):
                raise _Refused(f"the SVG has a {attribute!r} attribute")
            _check_css(value, f"attribute {attribute!r}")
        if local == "style":
            self.in_style += 1

    def _end(self, name: str) -> None:
        self.depth -= 1
        if _local(name).lower() == "style":
            self.in_style -= 1

    def _text(self, data: str) -> None:
        if self.in_style:
            _check_css(data, "<style>")


def _check_css(text: str, where: str) -> None:
    lowered = text.lower()
    if "@import" in lowered:
        raise _Refused(f"the SVG imports a style sheet ({where})")
    if "\\" in text and ("url" in lowered or where == "<style>" or "style" in where):
        raise _Refused(f"the SVG has a CSS escape ({where})")
    for match in _URL.finditer(text):
        if not match.group(1).startswith("#"):
            raise _Refused(f"the SVG loads {match.group(1)[:80]!r} ({where}); only url(#id) is allowed")


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]
