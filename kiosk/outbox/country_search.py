"""Finding the patient's country from the first letters they type, in their language or in English.

A patient from Türkiye reading the Arabic screen may type "تر" or "Turk"; one from Côte d'Ivoire types
"cote". Names are compared without accents, case or Arabic-script letter variants, at the start of any
word, so "Turk" finds Türkiye and "arab" finds the United Arab Emirates. Pure: no Qt.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kiosk.outbox.request import country_choices

# Letters people type for one another: dotless/dotted i, Arabic and Persian forms of yeh and kaf, alef forms.
_FOLD = str.maketrans({"ı": "i", "İ": "i", "ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "إ": "ا", "آ": "ا",
                       "ة": "ه", "ß": "ss", "ё": "е"})
_SEPARATORS = str.maketrans({char: " " for char in "-–—'’(),.&/"})


def fold(text: str) -> str:
    """Lower case, no accents or marks, one spelling for letters typed either way."""
    text = text.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.translate(_FOLD).translate(_SEPARATORS).split())


@dataclass(frozen=True)
class CountryMatch:
    code: str
    name: str  # in the patient's language, as the list shows it


@lru_cache(maxsize=16)
def _index(language: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(code, shown name, folded words of every name it can be found by), in the order the list shows."""
    english = dict(country_choices("en"))
    entries = []
    for code, name in country_choices(language):
        words = set(fold(name).split()) | set(fold(english.get(code, "")).split())
        whole = {fold(name), fold(english.get(code, ""))}
        entries.append((code, name, tuple(sorted(words | whole))))
    return tuple(entries)


def find_countries(typed: str, language: str, first: tuple[str, ...] = (), limit: int = 5) -> list[CountryMatch]:
    """Countries whose name in ``language`` or in English has a word starting with what was typed.

    Countries in ``first`` (the kiosk's usual patients) come before the rest, then the list's own order.
    Nothing typed, nothing found.
    """
    wanted = fold(typed)
    if not wanted:
        return []
    matches = [(code, name) for code, name, words in _index(language)
               if any(word.startswith(wanted) for word in words)]
    rank = {code: index for index, code in enumerate(first)}
    matches.sort(key=lambda pair: rank.get(pair[0], len(rank)))
    return [CountryMatch(code, name) for code, name in matches[:limit]]


def country_name(code: str, language: str) -> str:
    return dict(country_choices(language)).get(code, code)
