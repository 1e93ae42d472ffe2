"""Which of the engine's voices reads a language: the language itself, in the variety a listener expects.

espeak-ng lists English as en-029 (Caribbean), en-GB, en-US and more; taking the first that matches read
English pages in a Caribbean accent. Each language has an order of preferred countries; after them comes the
language's own default country (Qt's), then any voice of the language. Never a voice of another language.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale

Territory = QLocale.Country  # what PySide6 calls Qt 6's QLocale::Territory
# British English for a hospital with British-trained staff and patients taught British English; Modern
# Standard Arabic voices are usually filed under Saudi Arabia or Egypt.
PREFERRED_TERRITORIES: dict[str, tuple[QLocale.Country, ...]] = {
    "en": (Territory.UnitedKingdom, Territory.UnitedStates, Territory.Ireland, Territory.Australia),
    "ar": (Territory.SaudiArabia, Territory.Egypt, Territory.UnitedArabEmirates),
    "fa": (Territory.Iran,),
    "de": (Territory.Germany, Territory.Austria, Territory.Switzerland),
    "fr": (Territory.France, Territory.Belgium, Territory.Switzerland, Territory.Canada),
    "ru": (Territory.Russia,),
    "tr": (Territory.Turkey,),
    "uk": (Territory.Ukraine,),
}


def best_locale(language: str, available: list[QLocale]) -> QLocale | None:
    """The voice locale to read ``language`` with, from what the engine offers; None if it has none."""
    wanted = QLocale(language)
    matching = [locale for locale in available if locale.language() == wanted.language()]
    if not matching:
        return None
    order = [*PREFERRED_TERRITORIES.get(language.split("-")[0].split("_")[0], ()), wanted.territory()]
    for territory in order:
        for locale in matching:
            if locale.territory() == territory:
                return locale
    return matching[0]


# How voice names (espeak-ng through speech-dispatcher) call a country; a locale's voices can include other
# varieties filed under it (the Caribbean English voice is listed as en_US).
_TERRITORY_WORDS: dict[QLocale.Country, tuple[str, ...]] = {
    Territory.UnitedKingdom: ("great britain", "united kingdom", "british", "rp"),
    Territory.UnitedStates: ("america", "united states"),
}


def best_voice(locale: QLocale, voice_names: list[str]) -> str | None:
    """Among the voices of ``locale``: the one named for its country, else a plain voice (not a "+variant"),
    else the first; None when there are none."""
    if not voice_names:
        return None
    words = _TERRITORY_WORDS.get(locale.territory(), ())
    plain = [name for name in voice_names if "+" not in name]
    named = [name for name in plain if any(word in name.casefold() for word in words)]
    return (named or plain or voice_names)[0]
