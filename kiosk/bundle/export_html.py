"""``kiosk bundle export-html``: the bundle as a static website, for staff review and the hospital site.

One page per section per language (``<lang>/<section>.html``), with ``lang`` and ``dir`` set so Arabic
and Persian read right to left, navigation between languages and sections, and the same sanitised HTML
the kiosk shows (from ``ContentLibrary``, so a page missing in a language shows the default language's
text with a note, as on the kiosk). Only assets that a page or the index uses are copied.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from kiosk.bundle.library import ContentLibrary, Page
from kiosk.bundle.render import SECTION_SCHEME

_SECTION_LINK = re.compile(rf'href="{SECTION_SCHEME}:([a-z0-9-]+)(#[^"]*)?"')
_IMAGE_SRC = re.compile(r'<img src="([^"]+)"')

_CURRENT = ' aria-current="page"'
_STYLE = """
body { font-family: "Noto Sans", "Noto Sans Arabic", sans-serif; margin: 0; line-height: 1.6; }
header, main, footer { max-width: 46rem; margin: 0 auto; padding: 1rem 1.5rem; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem 1rem; }
nav a[aria-current] { font-weight: bold; }
.note { background: #fff4d6; border-inline-start: 4px solid #e0a800; padding: .5rem 1rem; }
img { max-width: 100%; height: auto; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 1rem; padding: 0; }
.tiles li { list-style: none; border: 1px solid #ccd; border-radius: .5rem; padding: 1rem; }
.tiles img { width: 3rem; height: 3rem; display: block; }
"""


@dataclass(frozen=True)
class ExportResult:
    pages: int
    assets: list[str]


def export_html(root: Path, out: Path, languages: Sequence[str] | None = None) -> ExportResult:
    library = ContentLibrary(root)
    chosen = [lang for lang in (languages or library.languages()) if (library.root / lang).is_dir()]
    if library.default_language not in chosen:
        chosen.insert(0, library.default_language)
    out.mkdir(parents=True, exist_ok=True)
    used_assets: set[str] = set()
    pages = 0
    for language in chosen:
        (out / language).mkdir(exist_ok=True)
        titles = {sid: library.page(sid, language).title for sid in library.section_ids}
        tiles = []
        for section_id in library.section_ids:
            icon = _icon(library, section_id)
            if icon:
                used_assets.add(icon)
            image = f'<img src="../{html.escape(icon)}" alt="">' if icon else ""
            tiles.append(f'<li><a href="{section_id}.html">{image}{html.escape(titles[section_id])}</a></li>')
        index_body = f'<ul class="tiles">{"".join(tiles)}</ul>'
        _write(out / language / "index.html",
               _document(language, _native_name(language), index_body, chosen, titles, None, "index"))
        for section_id in library.section_ids:
            page = library.page(section_id, language)
            body, images = _page_body(page, library)
            used_assets.update(images)
            _write(out / language / f"{section_id}.html",
                   _document(language, page.title, body, chosen, titles, section_id, f"{section_id}"))
            pages += 1
    _write(out / "index.html", _language_index(chosen, library.default_language))
    for relative in sorted(used_assets):
        source = library.resolve_asset(relative)
        if source is not None:
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return ExportResult(pages, sorted(used_assets))


def _page_body(page: Page, library: ContentLibrary) -> tuple[str, list[str]]:
    images: list[str] = []

    def image(match: re.Match[str]) -> str:
        images.append(html.unescape(match.group(1)))
        return f'<img src="../{match.group(1)}"'

    body = _SECTION_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', page.html)
    body = _IMAGE_SRC.sub(image, body)
    notes = ""
    if page.fallback:
        notes += (f'<p class="note" lang="en" dir="ltr">Not yet translated into '
                  f'{html.escape(_native_name(page.requested_language))}; showing '
                  f'{html.escape(_native_name(page.language))}.</p>')
    elif page.unreviewed:
        notes += '<p class="note" lang="en" dir="ltr">This translation has not yet been reviewed.</p>'
    title_lang = f' lang="{page.language}" dir="{_direction(page.language)}"' if page.fallback else ""
    article = f"<article{title_lang}><h1>{html.escape(page.title)}</h1>{body}</article>"
    return notes + article, images


def _document(language: str, title: str, body: str, languages: list[str], titles: dict[str, str],
              current: str | None, filename: str) -> str:
    language_links = "".join(
        f'<li><a href="../{code}/{filename}.html" lang="{code}" dir="{_direction(code)}" hreflang="{code}"'
        f"{_CURRENT if code == language else ''}>{html.escape(_native_name(code))}</a></li>"
        for code in languages
    )
    section_links = "".join(
        f'<li><a href="{sid}.html"{_CURRENT if sid == current else ""}>{html.escape(name)}</a></li>'
        for sid, name in titles.items()
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{language}" dir="{_direction(language)}">\n<head>\n'
        f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<header><nav aria-label="languages"><ul>{language_links}</ul></nav>\n'
        f'<nav aria-label="sections"><ul><li><a href="index.html" aria-label="index">⌂</a></li>'
        f"{section_links}</ul></nav>"
        "</header>\n"
        f"<main>{body}</main>\n</body>\n</html>\n"
    )


def _language_index(languages: list[str], default: str) -> str:
    links = "".join(
        f'<li><a href="{code}/index.html" lang="{code}" dir="{_direction(code)}">'
        f"{html.escape(_native_name(code))}</a></li>"
        for code in languages
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{default}" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>Dystonia</title>\n'
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<main><nav aria-label=\"languages\"><ul class=\"tiles\">"
        f"{links}</ul></nav></main>\n</body>\n</html>\n"
    )


def _icon(library: ContentLibrary, section_id: str) -> str | None:
    path = library.icon_path(section_id)
    return path.relative_to(library.root).as_posix() if path is not None else None


def _native_name(code: str) -> str:
    try:
        name = Locale.parse(code.replace("-", "_")).display_name
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


def _direction(code: str) -> str:
    try:
        order = Locale.parse(code.replace("-", "_")).character_order
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
