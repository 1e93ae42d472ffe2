"""The country list follows each reader's alphabet, and a country is still found by native or English name."""

from __future__ import annotations

import unicodedata

import pytest

from kiosk.outbox.country_search import find_countries
from kiosk.outbox.request import country_choices

# Each alphabet in its own order; a letter's variants (alef forms, accented Latin) count as the letter.
ALPHABETS = {
    "fa": "ا ب پ ت ث ج چ ح خ د ذ ر ز ژ س ش ص ض ط ظ ع غ ف ق ک گ ل م ن و ه ی",
    "ar": "ا ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ظ ع غ ف ق ك ل م ن ه و ي",
    "tr": "A B C Ç D E F G Ğ H I İ J K L M N O Ö P R S Ş T U Ü V Y Z",
    "de": "A B C D E F G H I J K L M N O P Q R S T U V W X Y Z",
    "ru": "А Б В Г Д Е Ж З И Й К Л М Н О П Р С Т У Ф Х Ц Ч Ш Щ Ъ Ы Ь Э Ю Я",
}
VARIANTS = {"آ": "ا", "أ": "ا", "إ": "ا", "Å": "A", "Ä": "A", "Ö": "O", "Ü": "U", "É": "E", "Ç": "C"}
LANGUAGE_VARIANTS = {"tr": {"Å": "A", "É": "E"}}


def _first_letters(language: str, names: list[str]) -> list[str]:
    variants = LANGUAGE_VARIANTS.get(language, VARIANTS)
    return [variants.get(name[0], name[0]) for name in names]


def _out_of_order(language: str, names: list[str]) -> list[tuple[str, str]]:
    """Neighbours whose first letters come in the wrong order of ``language``'s alphabet."""
    order = {letter: index for index, letter in enumerate(ALPHABETS[language].split())}
    letters = _first_letters(language, names)
    return [(names[i], names[i + 1]) for i in range(len(names) - 1)
            if letters[i] in order and letters[i + 1] in order and order[letters[i]] > order[letters[i + 1]]]


@pytest.mark.parametrize("language", sorted(ALPHABETS))
def test_countries_follow_the_alphabet_of_the_language(language: str) -> None:
    names = [name for _code, name in country_choices(language)]
    assert len(names) > 240
    assert _out_of_order(language, names) == []


@pytest.mark.parametrize("language", ["fa", "tr", "de"])
def test_the_check_itself_catches_a_code_point_order(language: str) -> None:
    """Sorted by code point (what folding did), every one of these alphabets is out of order somewhere."""
    names = sorted(name for _code, name in country_choices(language))
    assert _out_of_order(language, names)


def test_persian_names_with_pe_come_right_after_be() -> None:
    names = [name for _code, name in country_choices("fa")]
    positions = [index for index, name in enumerate(names) if name.startswith("پ")]
    last_be = max(index for index, name in enumerate(names) if name.startswith("ب"))
    assert positions[0] == last_be + 1
    assert 50 <= positions[0] <= 60  # with code-point order they sat at 204


def _alef_names_out_of_order(names: list[str]) -> list[tuple[str, str]]:
    """Names starting with alef or alef with hamza whose second letters come out of alphabetical order.

    Alef with madda (آ) is a letter of its own in the collation and sorts first.
    """
    alef = [name for name in names if name[0] in "اأإ"]
    return _out_of_order("ar", [name[1:] for name in alef])


def test_arabic_alef_forms_sort_as_one_letter() -> None:
    names = [name for _code, name in country_choices("ar")]
    alef = [index for index, name in enumerate(names) if name[0] in "اأإآ"]
    assert alef == list(range(len(alef)))
    assert {names[i][0] for i in alef} >= {"أ", "إ", "ا"}
    assert _alef_names_out_of_order(names) == []
    # Folding (NFKD) kept every أ name before every إ name: "أستراليا" before "إثيوبيا".
    folded = sorted(names, key=lambda name: unicodedata.normalize("NFKD", name).casefold())
    assert _alef_names_out_of_order(folded)


@pytest.mark.parametrize("typed,language,code", [
    ("پا", "fa", "PK"), ("pakis", "fa", "PK"), ("turk", "ar", "TR"), ("تر", "ar", "TR"),
    ("cote", "fr", "CI"), ("turkiye", "tr", "TR"), ("osterr", "de", "AT"), ("germ", "ru", "DE"),
])
def test_a_country_is_found_by_native_or_english_name_without_accents(typed: str, language: str,
                                                                     code: str) -> None:
    assert code in [match.code for match in find_countries(typed, language, limit=10)]
