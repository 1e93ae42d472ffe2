"""What the on-screen keyboard offers for each language and each kind of field: pure data, no Qt.

A layout is a list of rows; a row is a list of keys. A key either types its ``text`` or does an ``action``
(shift, backspace, switch page, next field, hide). The widget that draws them (``kiosk.ui.onscreen_keyboard``)
knows nothing about languages; this module knows nothing about widgets, so every layout is checked by plain
tests (every letter of every alphabet reachable, "@" on the e-mail page, "+" on the phone pad).

Pages:
- ``letters``: the patient's own alphabet, in the arrangement people of that language learn on a computer
  (QWERTY, QWERTZ, AZERTY, Turkish Q, ЙЦУКЕН, Arabic 101, Persian ISIRI 9147), lower case and, where the
  script has case, upper case behind shift;
- ``latin``: the English letters, one key away from ``letters`` for a name a patient writes in Latin;
- ``symbols``: digits and punctuation;
- ``email``: Latin letters with "@", ".", "-", "_" on the page itself;
- ``phone``: a dial pad with "+", in the digits of the patient's script (Eastern Arabic, Persian);
- ``digits``: a number pad for the age, likewise.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    SHIFT = "shift"
    BACKSPACE = "backspace"
    SPACE = "space"
    NEXT = "next"  # Enter: on to the next field (the form decides which)
    HIDE = "hide"
    SYMBOLS = "symbols"  # to the digits and punctuation page
    LETTERS = "letters"  # back to the patient's alphabet
    LATIN = "latin"  # the language key: the patient's alphabet <-> Latin
    OTHER_DIGITS = "other_digits"  # on the pads in ar and fa: the patient's digits <-> 0-9


class Page(StrEnum):
    LETTERS = "letters"
    LATIN = "latin"
    SYMBOLS = "symbols"
    EMAIL = "email"
    PHONE = "phone"
    DIGITS = "digits"


class FieldKind(StrEnum):
    """What a text field holds, which decides the page the keyboard opens on."""

    TEXT = "text"
    EMAIL = "email"
    PHONE = "phone"
    DIGITS = "digits"


@dataclass(frozen=True)
class Key:
    text: str = ""  # what a tap types
    action: Action | None = None
    width: float = 1.0  # in units of an ordinary key

    @property
    def label(self) -> str:
        """What the key shows when it types text (actions are drawn by the widget)."""
        return self.text


Row = tuple[Key, ...]
Layout = tuple[Row, ...]


@dataclass(frozen=True)
class Alphabet:
    """The letter rows of one language, lower case; ``extra`` keys sit beside the space bar."""

    rows: tuple[str, ...]
    has_case: bool = True
    extra: tuple[str, ...] = ()
    digits: str = "0123456789"
    punctuation: str = ",."


_WESTERN = "0123456789"
_EASTERN_ARABIC = "٠١٢٣٤٥٦٧٨٩"
_PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
ZWNJ = "\u200c"  # Persian half-space: part of how many words are spelled

ALPHABETS: dict[str, Alphabet] = {
    "en": Alphabet(("qwertyuiop", "asdfghjkl", "zxcvbnm")),
    "de": Alphabet(("qwertzuiopü", "asdfghjklöä", "yxcvbnmß")),
    "fr": Alphabet(("azertyuiop", "qsdfghjklm", "wxcvbnéèçà")),
    "tr": Alphabet(("qwertyuıopğü", "asdfghjklşi", "zxcvbnmöç")),
    "ru": Alphabet(("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбюё")),
    "uk": Alphabet(("йцукенгшщзхї", "фівапролджє", "ячсмитьбюґ"), extra=("'",)),
    "ar": Alphabet(("ضصثقفغعهخحجد", "شسيبلاتنمكط", "ئءؤرىةوزظذ"), has_case=False,
                   digits=_EASTERN_ARABIC, punctuation="،."),
    "fa": Alphabet(("ضصثقفغعهخحجچ", "شسیبلاتنمکگ", "ظطژزرذدپوآ"), has_case=False, extra=(ZWNJ,),
                   digits=_PERSIAN, punctuation="،."),
}
LATIN = "en"

_SYMBOL_ROWS = ("-/:;()&@\"", ".,?!'+*#%")


def alphabet_for(language: str) -> Alphabet:
    """The language's own alphabet, or the Latin one for a language without a layout here."""
    base = language.split("_")[0].split("-")[0]
    return ALPHABETS.get(base, ALPHABETS[LATIN])


def digits_for(language: str) -> str:
    """The digits the language writes numbers with (the validators accept every kind)."""
    return alphabet_for(language).digits


def upper(text: str, language: str) -> str:
    """Capitals as the language writes them: Turkish i -> İ (and ı -> I), ß stays ß."""
    if language.startswith(("tr", "az")):
        text = text.replace("i", "İ")
    return "ß" if text == "ß" else text.upper()


def _letter_rows(alphabet: Alphabet, language: str, shifted: bool) -> list[list[Key]]:
    rows = []
    for row in alphabet.rows:
        rows.append([Key(upper(char, language) if shifted and alphabet.has_case else char) for char in row])
    return rows


def _bottom_row(alphabet: Alphabet, latin_key: bool) -> list[Key]:
    keys = [Key(action=Action.SYMBOLS, width=1.5)]
    if latin_key:
        keys.append(Key(action=Action.LATIN, width=1.5))
    keys.append(Key(alphabet.punctuation[0]))
    keys.extend(Key(char) for char in alphabet.extra)
    keys.append(Key(action=Action.SPACE, width=4.0))
    keys.append(Key(alphabet.punctuation[1:] or "."))
    keys.append(Key(action=Action.NEXT, width=2.0))
    keys.append(Key(action=Action.HIDE, width=1.5))
    return keys


def letters(language: str, shifted: bool = False, latin_key: bool = True) -> Layout:
    """The letters page for ``language``: its rows, shift and backspace on the last row, then the bottom row."""
    alphabet = alphabet_for(language)
    rows = _letter_rows(alphabet, language, shifted)
    if alphabet.has_case:
        rows[-1] = [Key(action=Action.SHIFT, width=1.5), *rows[-1], Key(action=Action.BACKSPACE, width=1.5)]
    else:
        rows[-1] = [*rows[-1], Key(action=Action.BACKSPACE, width=1.5)]
    rows.append(_bottom_row(alphabet, latin_key and alphabet is not ALPHABETS[LATIN]))
    return tuple(tuple(row) for row in rows)


def symbols(language: str) -> Layout:
    alphabet = alphabet_for(language)
    digits = [Key(char) for char in alphabet.digits[1:] + alphabet.digits[0]]
    rows = [digits, [Key(char) for char in _SYMBOL_ROWS[0]],
            [*(Key(char) for char in _SYMBOL_ROWS[1]), Key(action=Action.BACKSPACE, width=1.5)]]
    if alphabet.digits != _WESTERN:
        rows.insert(1, [Key(char) for char in _WESTERN[1:] + _WESTERN[0]])
    bottom = [Key(action=Action.LETTERS, width=1.5), Key(alphabet.punctuation[0]),
              Key(action=Action.SPACE, width=4.0), Key(action=Action.NEXT, width=2.0),
              Key(action=Action.HIDE, width=1.5)]
    return (*(tuple(row) for row in rows), tuple(bottom))


def email(shifted: bool = False) -> Layout:
    """Latin letters with everything an address needs on the page itself: "@" "." "-" "_"."""
    rows = _letter_rows(ALPHABETS[LATIN], LATIN, shifted)
    rows[0] = [*rows[0], Key("-")]
    rows[1] = [*rows[1], Key("_")]
    rows[2] = [Key(action=Action.SHIFT, width=1.5), *rows[2], Key(action=Action.BACKSPACE, width=1.5)]
    digits = [Key(char) for char in _WESTERN[1:] + _WESTERN[0]]
    bottom = [Key("@", width=1.5), Key("."), Key(action=Action.SPACE, width=2.0), Key(".com", width=1.5),
              Key(action=Action.NEXT, width=2.0), Key(action=Action.HIDE, width=1.5)]
    return (tuple(digits), *(tuple(row) for row in rows), tuple(bottom))


def phone(language: str, western: bool = False) -> Layout:
    """A dial pad with "+" in the patient's digits; in ar and fa the Western digits are one key away."""
    return _pad(language, western, ("+", " "))


def digits_pad(language: str, western: bool = False) -> Layout:
    return _pad(language, western, ("", ""))


def _pad(language: str, western: bool, beside_zero: tuple[str, str]) -> Layout:
    """Three digits to a row with the actions at the end; the last row has zero between ``beside_zero``."""
    own = digits_for(language)
    digits = _WESTERN if western else own
    rows = [[Key(digits[index]) for index in (1, 2, 3)], [Key(digits[index]) for index in (4, 5, 6)],
            [Key(digits[index]) for index in (7, 8, 9)]]
    rows[0].append(Key(action=Action.BACKSPACE, width=1.5))
    rows[1].append(Key(action=Action.NEXT, width=1.5))
    rows[2].append(Key(action=Action.HIDE, width=1.5))
    left, right = beside_zero
    bottom = [Key(left), Key(digits[0]), Key(action=Action.SPACE) if right == " " else Key(right)]
    # A key that does nothing is a gap: the widget draws no button for it.
    bottom.append(Key(action=Action.OTHER_DIGITS, width=1.5) if own != _WESTERN else Key(width=1.5))
    rows.append(bottom)
    return tuple(tuple(row) for row in rows)


def page_for(kind: FieldKind) -> Page:
    return {FieldKind.EMAIL: Page.EMAIL, FieldKind.PHONE: Page.PHONE, FieldKind.DIGITS: Page.DIGITS}.get(
        kind, Page.LETTERS)


def layout(page: Page, language: str, shifted: bool = False, western: bool = False) -> Layout:
    """The keys of ``page`` for a patient reading ``language``."""
    if page is Page.LETTERS:
        return letters(language, shifted)
    if page is Page.LATIN:
        return letters(LATIN, shifted, latin_key=False) if alphabet_for(language) is ALPHABETS[LATIN] \
            else _latin_with_way_back(shifted)
    if page is Page.SYMBOLS:
        return symbols(language)
    if page is Page.EMAIL:
        return email(shifted)
    if page is Page.PHONE:
        return phone(language, western)
    return digits_pad(language, western)


def _latin_with_way_back(shifted: bool) -> Layout:
    """Latin letters whose language key leads back to the patient's own alphabet."""
    rows = list(letters(LATIN, shifted, latin_key=False))
    bottom = list(rows[-1])
    bottom.insert(1, Key(action=Action.LATIN, width=1.5))
    rows[-1] = tuple(bottom)
    return tuple(rows)


def typed_characters(layout_rows: Layout) -> set[str]:
    """Every text a tap on this layout can type."""
    return {key.text for row in layout_rows for key in row if key.text}


# Widths an action key may shrink to when a row does not fit (a portrait screen): letters never shrink,
# the wide keys give up their extra width first, the space bar last.
_NARROWEST = {Action.SPACE: 2.0, Action.NEXT: 1.0}


def fit_width(layout: Layout, max_units: float) -> Layout:
    """``layout`` with its action keys narrowed so that every row is at most ``max_units`` wide, where that is
    possible; rows that already fit are unchanged, and no key is ever removed or moved."""
    fitted = []
    for row in layout:
        keys = list(row)
        excess = sum(key.width for key in keys) - max_units
        # Non-space keys first (shift, backspace, symbols, Latin, Next, hide), then the space bar.
        for wanted_space in (False, True):
            for index, key in enumerate(keys):
                if excess <= 0:
                    break
                if key.action is None or (key.action is Action.SPACE) is not wanted_space:
                    continue
                narrowest = _NARROWEST.get(key.action, 1.0)
                give = min(excess, key.width - narrowest)
                if give > 0:
                    keys[index] = dataclasses.replace(key, width=key.width - give)
                    excess -= give
        fitted.append(tuple(keys))
    return tuple(fitted)
