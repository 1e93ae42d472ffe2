"""validate_form and the text cleaning it relies on: what patients type, paste and mistype."""

from __future__ import annotations

import time

import pytest

from kiosk.outbox.request import (
    DESCRIPTION_MAX,
    PRIVACY_NOTICE_VERSION,
    ConsultationRequest,
    RequestFormatError,
    country_choices,
    phone_example,
    validate_form,
)
from kiosk.outbox.text import clean_text, normalize_digits

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def form(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "full_name": "Ayşe Yılmaz",
        "country": "TR",
        "phone": "0532 123 45 67",
        "email": "",
        "contact_language": "tr",
        "channel": "phone",
        "relation": "self",
        "age": "42",
        "description": "",
        "consent": True,
    }
    fields.update(overrides)
    return fields


# --- cleaning helpers ---------------------------------------------------------------------------------


def test_normalize_digits_turns_eastern_arabic_and_persian_digits_into_ascii() -> None:
    assert normalize_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert normalize_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert normalize_digits("+90 ٥٣٢ abc") == "+90 532 abc"


def test_clean_text_strips_every_bidi_control_and_keeps_persian_joiners() -> None:
    text = f"{BIDI_CONTROLS}Ali\u202e evil\u202c\u2066 x\u2069"
    cleaned = clean_text(text, 100)
    assert not set(cleaned) & set(BIDI_CONTROLS)
    assert cleaned == "Ali evil x"
    # ZWNJ is part of correct Persian spelling ("می‌خواهم"); ZWJ builds emoji sequences.
    assert clean_text("می\u200cخواهم", 50) == "می\u200cخواهم"
    assert clean_text("👩\u200d⚕️", 50) == "👩\u200d⚕️"


def test_clean_text_removes_control_characters_collapses_whitespace_and_normalises() -> None:
    assert clean_text("  a\x00b\x07\tc \n\r d\ufeff  ", 50) == "ab c d"
    assert clean_text("e\u0301", 10) == "é"  # NFC
    assert clean_text("a\ud800b", 10) == "ab"  # a lone surrogate would break UTF-8 later


def test_clean_text_multiline_keeps_single_line_breaks() -> None:
    assert clean_text("line one  \r\n\n\n\nline   two", 100, multiline=True) == "line one\n\nline two"


def test_clean_text_survives_a_huge_paste_quickly() -> None:
    paste = ("Ali\u202e " * 5000) + "😀" * 5000
    started = time.perf_counter()
    cleaned = clean_text(paste, 100)
    assert time.perf_counter() - started < 0.5
    assert len(cleaned) <= 100
    assert "\u202e" not in cleaned


def test_clean_text_does_not_end_on_a_dangling_joiner() -> None:
    assert clean_text("ab\u200dcd", 3) == "ab"


# --- the form ----------------------------------------------------------------------------------------


def test_a_good_form_gives_a_cleaned_request() -> None:
    result = validate_form(form(full_name="  Ayşe \u202eYılmaz  ", email=" Ayse@Example.COM "))
    assert result.errors == {}
    assert result.ok
    request = result.request
    assert request is not None
    assert request.full_name == "Ayşe Yılmaz"
    assert request.phone == "+905321234567"
    assert request.email == "Ayse@example.com"  # the domain is normalised, the local part is kept
    assert request.age == 42
    assert request.consent is True
    assert request.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert request.ui_language == "tr"


def test_eastern_arabic_and_persian_digits_in_phone_and_age() -> None:
    result = validate_form(form(country="EG", phone="٠١٠٠ ١٢٣ ٤٥٦٧", age="٣٥", contact_language="ar"))
    assert result.errors == {}
    assert result.request is not None
    assert result.request.phone == "+201001234567"
    assert result.request.age == 35
    persian = validate_form(form(country="IR", phone="۰۹۱۲ ۳۴۵ ۶۷۸۹", age="۷", contact_language="fa"))
    assert persian.errors == {}
    assert persian.request is not None and persian.request.phone == "+989123456789"


def test_an_international_number_is_accepted_whatever_the_country() -> None:
    result = validate_form(form(country="DE", phone="+90 532 123 45 67"))
    assert result.request is not None and result.request.phone == "+905321234567"


def test_bidi_override_in_the_phone_cannot_disguise_it() -> None:
    result = validate_form(form(phone="\u202e0532 123 45 67\u202c"))
    assert result.request is not None and result.request.phone == "+905321234567"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"full_name": " A "}, "full_name"),
        ({"full_name": "x" * 101}, "full_name"),
        ({"full_name": "\u202e\u202c\u200f"}, "full_name"),
        ({"full_name": "$1.00"}, "full_name"),
        ({"full_name": "\u200c\u200d"}, "full_name"),
        ({"full_name": "12 345"}, "full_name"),
        ({"full_name": "A" + "\u200b" * 5000 + "lexander " * 12}, "full_name"),
        ({"full_name": "x" * 115}, "full_name"),
        ({"country": "XX"}, "country"),
        ({"country": "EU"}, "country"),
        ({"country": "TUR"}, "country"),
        ({"phone": ""}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"phone": "0532 123 45 67 0532 123 45 67 0532 123"}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a b@example.com"}, "email"),
        ({"channel": "email", "email": ""}, "email"),
        ({"channel": "pigeon"}, "channel"),
        ({"relation": "neighbour"}, "relation"),
        ({"age": ""}, "age"),
        ({"age": "-1"}, "age"),
        ({"age": "121"}, "age"),
        ({"age": "4.5"}, "age"),
        ({"age": True}, "age"),
        ({"description": "x" * (DESCRIPTION_MAX + 1)}, "description"),
        ({"description": "x" * 832}, "description"),
        # Invisible filler first: a cleaned prefix would fit, and everything after it would be dropped.
        ({"description": "Neck" + " " * 20000 + "turns " * 140}, "description"),
        ({"consent": False}, "consent"),
        ({"consent": "yes"}, "consent"),
        ({"contact_language": "zz-not-a-language"}, "contact_language"),
    ],
)
def test_each_problem_is_reported_on_its_field(overrides: dict[str, object], field: str) -> None:
    result = validate_form(form(**overrides))
    assert result.request is None
    assert field in result.errors
    message = result.errors[field]
    assert message and message[0].isupper() and message.endswith(".")


def test_the_phone_message_shows_an_example_for_the_chosen_country() -> None:
    result = validate_form(form(country="TR", phone="12"))
    assert phone_example("TR") in result.errors["phone"]
    assert "for example" in result.errors["phone"]


def test_messages_are_built_at_call_time_in_the_current_language(monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.outbox.request as request_module

    monkeypatch.setattr(request_module, "_", lambda message: "«" + message + "»")
    result = validate_form(form(full_name=""))
    assert result.errors["full_name"].startswith("«")


def test_every_field_is_reported_at_once() -> None:
    result = validate_form({})
    assert set(result.errors) == {
        "full_name", "country", "phone", "contact_language", "channel", "relation", "age", "consent",
    }


@pytest.mark.parametrize(
    "hostile",
    [
        "Robert'); DROP TABLE requests;--",
        "<script>alert(1)</script>",
        "😀🏳️‍🌈👨‍👩‍👧 Emoji Person",
        "{{ 7*7 }} ${jndi:ldap://x}",
    ],
)
def test_sql_html_and_emoji_are_just_text(hostile: str) -> None:
    result = validate_form(form(full_name=hostile, description=hostile))
    assert result.errors == {}
    assert result.request is not None
    assert result.request.full_name == hostile
    assert result.request.description == hostile


def test_a_ten_thousand_character_paste_in_every_field_never_crashes() -> None:
    paste = ("ا\u202eب😀 <b>x</b> '; --" * 700)[:10_000]
    fields = {name: paste for name in ("full_name", "country", "phone", "email", "contact_language",
                                       "channel", "relation", "age", "description")}
    result = validate_form({**fields, "consent": True})
    assert result.request is None
    assert set(result.errors) >= {"full_name", "phone", "email", "description"}


def test_description_is_optional_and_may_have_line_breaks() -> None:
    result = validate_form(form(description="first line\n\nsecond line"))
    assert result.request is not None
    assert result.request.description == "first line\n\nsecond line"
    exact = validate_form(form(description="y" * DESCRIPTION_MAX))
    assert exact.request is not None


def test_age_accepts_an_integer_from_a_spin_box() -> None:
    result = validate_form(form(age=0))
    assert result.request is not None and result.request.age == 0


def test_contact_language_defaults_to_the_ui_language() -> None:
    result = validate_form(form(contact_language=""), ui_language="ar")
    assert result.request is not None
    assert result.request.contact_language == "ar"
    assert result.request.ui_language == "ar"


# --- the model ---------------------------------------------------------------------------------------


def test_json_round_trip_is_exact_and_stable() -> None:
    request = validate_form(form(description="ç 😀 \"quoted\"")).request
    assert request is not None
    data = request.to_json_bytes()
    assert ConsultationRequest.from_json_bytes(data) == request
    assert request.to_json_bytes() == data


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff", b"[]", b'{"format": 99}', b'{"format": 1}',
     b'{"format":1,"full_name":5,"country":"TR","phone":"","email":"","contact_language":"tr",'
     b'"channel":"phone","relation":"self","age":1,"description":"","consent":true,'
     b'"privacy_notice_version":"x","ui_language":"tr"}'],
)
def test_from_json_bytes_rejects_anything_else(data: bytes) -> None:
    with pytest.raises(RequestFormatError):
        ConsultationRequest.from_json_bytes(data)


def test_country_choices_are_named_in_the_reader_language() -> None:
    choices = dict(country_choices("de"))
    assert choices["DE"] == "Deutschland"
    assert "EU" not in choices and "ZZ" not in choices
    arabic = dict(country_choices("ar"))
    assert arabic["TR"] == "تركيا"


@pytest.mark.parametrize("name", ["Li Na", "李明", "ليلى أحمد", "Zoë O'Brien-Łukasz", "مهسا\u200cزاده"])
def test_names_with_letters_in_any_script_are_accepted_unchanged(name: str) -> None:
    result = validate_form(form(full_name=name))
    assert result.request is not None and result.request.full_name == name


def test_text_at_the_limit_is_kept_whole() -> None:
    description = ("Neck turns left. " * 40)[:DESCRIPTION_MAX].strip()
    result = validate_form(form(description=description, full_name="N" * 100))
    assert result.request is not None
    assert (result.request.description, result.request.full_name) == (description, "N" * 100)
