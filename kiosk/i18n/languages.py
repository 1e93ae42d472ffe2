"""Facts about the languages the kiosk offers, taken from Babel's locale data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

# Pseudo-languages for layout testing: English text lengthened (and mirrored for the RTL variant), so
# clipping and mirroring bugs show before real translations arrive.
PSEUDO_LTR = "qps"
PSEUDO_RTL = "qps-rtl"
PSEUDO_LANGUAGES = (PSEUDO_LTR, PSEUDO_RTL)


@dataclass(frozen=True)
class LanguageInfo:
    code: str
    native_name: str
    english_name: str
    rtl: bool
    babel_locale: str  # the locale used for numbers, dates and prices

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"


# What Babel says about the languages the kiosk ships (native name, English name, right-to-left, locale),
# written out because asking Babel loads each language's whole locale data: 25 ms and 9 MB before the
# first frame for the start screen's row of names. tests/unit/test_language_facts.py checks it against Babel.
KNOWN_FACTS: dict[str, tuple[str, str, bool, str]] = {
    "en": ("English", "English", False, "en"),
    "tr": ("Türkçe", "Turkish", False, "tr"),
    "ar": ("العربية", "Arabic", True, "ar"),
    "fa": ("فارسی", "Persian", True, "fa"),
    "ru": ("Русский", "Russian", False, "ru"),
    "de": ("Deutsch", "German", False, "de"),
    "fr": ("Français", "French", False, "fr"),
    "uk": ("Українська", "Ukrainian", False, "uk"),
}


@cache
def language_info(code: str) -> LanguageInfo:
    if code == PSEUDO_LTR:
        return LanguageInfo(code, "Ƥšéûðö", "Pseudo (long)", False, "en")
    if code == PSEUDO_RTL:
        return LanguageInfo(code, "Ƥšéûðö RTL", "Pseudo (right-to-left)", True, "en")
    if code in KNOWN_FACTS:
        return LanguageInfo(code, *KNOWN_FACTS[code])
    return babel_language_info(code)


def babel_language_info(code: str) -> LanguageInfo:
    """The facts as Babel's locale data gives them (any language Babel knows)."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError) as error:
        raise ValueError(f"unknown language code {code!r}") from error
    native = locale.get_display_name(locale) or code
    # Locale data writes some names in lower case ("русский"); a picker button starts with a capital.
    native = native[:1].upper() + native[1:]
    return LanguageInfo(
        code=code,
        native_name=native,
        english_name=locale.get_display_name("en") or code,
        rtl=locale.character_order == "right-to-left",
        babel_locale=str(locale),
    )


def is_known_language(code: str) -> bool:
    try:
        language_info(code)
    except ValueError:
        return False
    return True
