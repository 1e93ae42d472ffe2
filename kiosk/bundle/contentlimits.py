"""How much work one page may ask of the kiosk, checked cheaply before the page reaches a parser.

Python-Markdown recurses once per level of quote or list (a few hundred levels raise RecursionError), its
link and raw-HTML patterns rescan the rest of a paragraph for every unclosed ``[`` or ``<`` (quadratic), and
Qt lays out nested tables in exponential time and a very long word in quadratic time. So every limit
below is checked on the Markdown source by a single linear scan *before* Python-Markdown sees the text,
and on the sanitised HTML before Qt sees it. The validator, the installer (through the validator) and the
renderer all use these functions, so a page is refused everywhere or nowhere. The numbers and the
measurements behind them are in docs/bundles.md ("Content limits").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- Markdown source of one page ------------------------------------------------------------------------
MAX_PAGE_BYTES = 32 * 1024  # the longest shipped page is 2.9 KB; ~10x room, and any 32 KiB page renders fast
MAX_PARAGRAPH_CHARS = 5_000  # about 800 words without a blank line; the quadratic cases scale with it
MAX_WORD_CHARS = 300  # longest run without a space (a long address in a link fits; Qt wraps it quadratically)
MAX_NESTING = 8  # quotes and lists inside each other (the shipped pages use 1)
MAX_ENTITIES = 500  # &name; and &#123; references (the shipped pages use none)
MAX_BRACKET_DEPTH = 3  # [ ] inside [ ] (a picture inside a link is 2)
MAX_UNCLOSED_BRACKETS = 20  # a '[' without its ']' makes Python-Markdown rescan the paragraph
MAX_TAG_OPENERS = 50  # '<' followed by a letter, '/', '!' or '?' (raw HTML is an error anyway)
# A whole section file: the page plus its front matter and title line. Checked from the signed manifest
# before a bundle is unpacked, and by the validator before the file is parsed.
MAX_SOURCE_FILE_BYTES = MAX_PAGE_BYTES + 4 * 1024
MAX_TITLE_CHARS = 120  # the "# Title" line, shown on a topic tile and above the page

# --- sanitised HTML of one page -------------------------------------------------------------------------
MAX_ELEMENT_DEPTH = 32  # 8 nested lists are 16 elements, plus paragraphs and emphasis
MAX_TABLE_DEPTH = 1  # Qt lays out tables inside tables in exponential time; Markdown cannot write them
MAX_TABLE_CELLS = 256  # each cell costs Qt about 0.1 ms; a price list needs a few dozen
MAX_IMAGES_PER_PAGE = 10

# --- assets ---------------------------------------------------------------------------------------------
MAX_SVG_BYTES = 256 * 1024  # the shipped pictures are 2 KB
MAX_SVG_ELEMENTS = 5_000
MAX_SVG_DEPTH = 32


# The ``code`` of every breach (validator problems use the same codes).
LIMIT_CODES = frozenset({
    "file-too-big", "page-too-big", "paragraph-too-long", "word-too-long", "too-deep", "too-many-entities",
    "too-much-markup", "too-many-images", "too-many-cells", "title-too-long",
})


@dataclass(frozen=True)
class LimitBreach:
    """One limit a page goes over: ``code`` for tools, ``line`` (1-based, in the given text) to fix it."""

    code: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message


_ENTITY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});")
_CONTAINER = re.compile(r"(?:>|[-*+](?=\s)|[0-9]{1,9}[.)](?=\s))[ \t]*")
_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
_TAG_OPENER = re.compile(r"<[A-Za-z/!?]")
_WORD = re.compile(r"\S+")


def scan_markdown(text: str) -> LimitBreach | None:
    """The first limit ``text`` goes over, or None. Linear in the text and stops at the first breach."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_PAGE_BYTES:
        return LimitBreach("page-too-big", None,
                           f"the page is {size:,} bytes (limit {MAX_PAGE_BYTES:,}); split it into several "
                           "sections")
    entities = 0
    unclosed_brackets = 0
    tag_openers = 0
    paragraph_start, paragraph_chars = 0, 0
    brackets: list[int] = []  # line numbers of the '[' still open in this paragraph
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            unclosed_brackets += len(brackets)
            brackets.clear()
            paragraph_chars = 0
            if unclosed_brackets > MAX_UNCLOSED_BRACKETS:
                return _unclosed(number - 1)
            continue
        depth = _container_depth(line)
        if depth > MAX_NESTING:
            shown = f"{depth}" if depth <= MAX_NESTING + 1 else f"more than {MAX_NESTING}"
            return LimitBreach("too-deep", number, f"quotes or lists nested {shown} deep (limit {MAX_NESTING})")
        if paragraph_chars == 0:
            paragraph_start = number
        paragraph_chars += len(line) + 1
        if paragraph_chars > MAX_PARAGRAPH_CHARS:
            return LimitBreach("paragraph-too-long", paragraph_start,
                               f"a paragraph of more than {MAX_PARAGRAPH_CHARS} characters (limit "
                               f"{MAX_PARAGRAPH_CHARS}); put a blank line between paragraphs")
        longest = max((len(word) for word in _WORD.findall(line)), default=0)
        if longest > MAX_WORD_CHARS:
            return LimitBreach("word-too-long", number,
                               f"a word of {longest} characters without a space (limit {MAX_WORD_CHARS})")
        entities += len(_ENTITY.findall(line))
        if entities > MAX_ENTITIES:
            return LimitBreach("too-many-entities", number,
                               f"more than {MAX_ENTITIES} character references like &amp; (limit "
                               f"{MAX_ENTITIES}); type the characters themselves")
        tag_openers += len(_TAG_OPENER.findall(line))
        if tag_openers > MAX_TAG_OPENERS:
            return LimitBreach("too-much-markup", number,
                               f"more than {MAX_TAG_OPENERS} '<' starting a tag (limit {MAX_TAG_OPENERS})")
        breach = _brackets(line, number, brackets)
        if breach is not None:
            return breach
    unclosed_brackets += len(brackets)
    if unclosed_brackets > MAX_UNCLOSED_BRACKETS:
        return _unclosed(None)
    return None


def _container_depth(line: str) -> int:
    """Levels of quote and list a line opens: its indentation (4 columns a level) and its leading markers."""
    expanded = line.expandtabs(4)
    rest = expanded.lstrip(" ")
    depth = (len(expanded) - len(rest)) // 4
    if _RULE.match(rest):  # "* * *" and "- - -" are horizontal rules, not three lists
        return depth
    position = 0
    while match := _CONTAINER.match(rest, position):
        depth += 1
        position = match.end()
        if depth > MAX_NESTING:
            break
    return depth


def _brackets(line: str, number: int, open_lines: list[int]) -> LimitBreach | None:
    escaped = False
    for char in line:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            open_lines.append(number)
            if len(open_lines) > MAX_BRACKET_DEPTH:
                return LimitBreach("too-deep", number,
                                   f"brackets [ ] nested {len(open_lines)} deep (limit {MAX_BRACKET_DEPTH})")
        elif char == "]" and open_lines:
            open_lines.pop()
    return None


def _unclosed(line: int | None) -> LimitBreach:
    return LimitBreach("too-much-markup", line,
                       f"more than {MAX_UNCLOSED_BRACKETS} '[' without a ']' (limit {MAX_UNCLOSED_BRACKETS}); "
                       "write \\[ for a bracket in the text")


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = frozenset({"br", "hr", "img"})


def scan_html(html: str) -> LimitBreach | None:
    """The first limit the sanitised HTML of a page goes over (what would make Qt's layout slow)."""
    depth = tables = cells = images = 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID or match.group(3):
            if name == "img":
                images += 1
                if images > MAX_IMAGES_PER_PAGE:
                    return LimitBreach("too-many-images", None,
                                       f"more than {MAX_IMAGES_PER_PAGE} pictures (limit {MAX_IMAGES_PER_PAGE})")
            continue
        if closing:
            depth = max(depth - 1, 0)
            tables -= name == "table"
            continue
        depth += 1
        if depth > MAX_ELEMENT_DEPTH:
            return LimitBreach("too-deep", None,
                               f"elements nested more than {MAX_ELEMENT_DEPTH} deep (limit {MAX_ELEMENT_DEPTH})")
        if name == "table":
            tables += 1
            if tables > MAX_TABLE_DEPTH:
                return LimitBreach("too-deep", None, "a table inside a table (not allowed)")
        elif name in ("td", "th"):
            cells += 1
            if cells > MAX_TABLE_CELLS:
                return LimitBreach("too-many-cells", None,
                                   f"more than {MAX_TABLE_CELLS} table cells (limit {MAX_TABLE_CELLS})")
    return None
