"""Markdown -> HTML -> sanitised HTML, with the link and image policy of the kiosk.

Python-Markdown passes raw HTML through, so its output is never trusted: nh3 keeps only an allowlist of
tags and attributes, and our attribute filter rewrites every link and image source. What survives:

* links to other sections (``causes.md`` or ``section:causes``) become ``section:<id>``; in-page
  ``#anchors`` stay; every other link loses its target (the text remains, nothing opens);
* images only from inside the content folder (no scheme, no absolute path, no ``..``), of an allowed
  type; anything else is replaced by its alt text.

Placeholders like ``{{price EUR 150}}`` are formatted for the reader's locale with Babel.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from kiosk.bundle.contentlimits import LimitBreach, scan_html, scan_markdown
from kiosk.i18n.formatting import format_price
from kiosk.i18n.text import isolate

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i",
    "blockquote", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "code", "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "th": {"align"}, "td": {"align"}}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".svg", ".webp"}
SECTION_SCHEME = "section"

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)((?:\s+[^\s{}]+)*)\s*\}\}")
_IMG_TAG = re.compile(r"<img\b([^>]*)>")
_TARGETLESS_LINK = re.compile(r"<a>(.*?)</a>", re.DOTALL)
_ATTR = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class RenderResult:
    html: str
    problems: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    refused: LimitBreach | None = None  # the page was not rendered: it goes over this limit


def section_link_target(href: str, known_sections: Collection[str]) -> str | None:
    """The section id an internal link points to, or None if it is not an internal link."""
    value = href.strip()
    if value.startswith(f"{SECTION_SCHEME}:"):
        candidate = value[len(SECTION_SCHEME) + 1:]
    elif value.endswith(".md") and "/" not in value.removeprefix("./") and ":" not in value:
        candidate = PurePosixPath(value).stem
    else:
        return None
    candidate = candidate.split("#", 1)[0]
    return candidate if candidate in known_sections else None


def safe_image_path(src: str) -> str | None:
    """Normalised relative path of an image inside the content folder, or None when refused."""
    value = src.strip()
    if not value or ":" in value or value.startswith(("/", "\\")) or "\\" in value:
        return None
    parts = PurePosixPath(value).parts
    if any(part in ("..", "") for part in parts) or value.startswith("//"):
        return None
    if PurePosixPath(value).suffix.lower() not in IMAGE_SUFFIXES:
        return None
    return str(PurePosixPath(*parts))


def expand_placeholders(text: str, locale: str, problems: list[str] | None = None) -> str:
    def replace(match: re.Match[str]) -> str:
        name, args = match.group(1), match.group(2).split()
        if name == "price" and len(args) == 2 and args[1].replace(".", "", 1).isdigit():
            try:
                return format_price(float(args[1]), args[0].upper(), locale=locale)
            except (ValueError, KeyError):
                return isolate(f"{args[0].upper()} {args[1]}")
        if problems is not None:
            problems.append(f"unknown placeholder {match.group(0)!r}")
        return ""

    return _PLACEHOLDER.sub(replace, text)


def render_markdown(
    text: str,
    locale: str,
    known_sections: Collection[str],
    image_exists: Callable[[str], bool] | None = None,
) -> RenderResult:
    """Sanitised HTML for one section body; ``problems`` lists what the policy refused.

    A page over a content limit is not rendered at all (``refused``, empty HTML): the limits are checked on
    the source before Python-Markdown sees it and on the HTML before Qt does.
    """
    # Imported here: nothing is rendered before the first frame, and startup time is measured.
    import markdown
    import nh3

    result = RenderResult(html="")
    breach = scan_markdown(text)
    if breach is not None:
        return _refused(result, breach)
    expanded = expand_placeholders(text, locale, result.problems)
    try:
        raw_html = markdown.markdown(expanded, extensions=["sane_lists", "tables"], output_format="html")
    except RecursionError:
        # The nesting limit should make this impossible; if Markdown still finds a way, refuse the page
        # instead of letting the error escape into the installer or the GUI.
        return _refused(result, LimitBreach("too-deep", None, "the page nests too deeply to render"))

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if tag == "a" and attribute == "href":
            if value.startswith("#"):
                return value
            target = section_link_target(value, known_sections)
            if target is None:
                result.problems.append(f"link refused: {value!r}")
                return None
            result.links.append(target)
            return f"{SECTION_SCHEME}:{target}"
        if tag == "img" and attribute == "src":
            path = safe_image_path(value)
            if path is None or (image_exists is not None and not image_exists(path)):
                result.problems.append(f"image refused: {value!r}")
                return None
            result.images.append(path)
            return path
        return value

    cleaned = nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        # Let every common scheme reach the attribute filter, which refuses all but ours and reports it.
        url_schemes={SECTION_SCHEME, "http", "https", "file", "javascript", "data", "qrc", "mailto", "tel", "ftp"},
        link_rel=None,
        strip_comments=True,
    )
    # A link whose target was refused is plain text: nothing to tap, nothing styled as a link.
    result.html = _TARGETLESS_LINK.sub(r"\1", _IMG_TAG.sub(_image_or_alt_text, cleaned))
    if "<" in text and re.search(r"<\s*[a-zA-Z!/]", text):
        result.problems.append("raw HTML in Markdown (removed)")
    breach = scan_html(result.html)
    if breach is not None:
        return _refused(result, breach)
    return result


def _refused(result: RenderResult, breach: LimitBreach) -> RenderResult:
    result.html, result.links, result.images, result.refused = "", [], [], breach
    result.problems.append(f"over a content limit: {breach.message}")
    return result


def _image_or_alt_text(match: re.Match[str]) -> str:
    """Images whose source was refused become their alt text, so the page shows no broken icon."""
    attributes = dict(_ATTR.findall(match.group(1)))
    if attributes.get("src"):
        alt = attributes.get("alt", "")
        return f'<img src="{attributes["src"]}" alt="{alt}">'
    alt = html.unescape(attributes.get("alt", ""))
    return f"<em>{html.escape(alt)}</em>" if alt else ""
