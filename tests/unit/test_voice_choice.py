"""The voice that reads a language: the expected variety first, never another language."""

from __future__ import annotations

from PySide6.QtCore import QLocale

from kiosk.speech.voice_choice import best_locale, best_voice

# The English and Arabic voices espeak-ng lists, in its order.
ESPEAK = [QLocale(name) for name in ("en_IN", "en_US", "en_GB", "ar_EG", "de_DE", "fa_IR")]


def names(locale: QLocale | None) -> str | None:
    return locale.name() if locale is not None else None


def test_english_is_read_in_british_english_when_there_is_such_a_voice():
    assert names(best_locale("en", ESPEAK)) == "en_GB"


def test_then_american_then_whatever_english_there_is():
    assert names(best_locale("en", [QLocale("en_IN"), QLocale("en_US")])) == "en_US"
    assert names(best_locale("en", [QLocale("en_IN")])) == "en_IN"


def test_within_a_locale_the_voice_named_for_its_country_comes_first():
    # speech-dispatcher files espeak-ng's Caribbean English under en_US, before the American voice.
    voices = ["English (Caribbean)", "English (Caribbean)+Adam", "English (America)", "English (America)+Adam"]
    assert best_voice(QLocale("en_US"), voices) == "English (America)"
    assert best_voice(QLocale("en_GB"), ["English (Great Britain)+Alex", "English (Great Britain)"]) == \
        "English (Great Britain)"
    assert best_voice(QLocale("ar_EG"), ["Arabic+Adam", "Arabic"]) == "Arabic"
    assert best_voice(QLocale("ar_EG"), []) is None


def test_a_language_without_a_voice_gets_none_not_another_language():
    assert best_locale("ru", ESPEAK) is None
    assert best_locale("ar", [QLocale("en_GB")]) is None


def test_arabic_and_persian_find_their_voices():
    assert names(best_locale("ar", ESPEAK)) == "ar_EG"
    assert names(best_locale("fa", ESPEAK)) == "fa_IR"
