"""The consultation request: its model, and turning raw form fields into one.

``validate_form`` is the only place that decides whether what a patient typed is acceptable. The form
widget passes its raw values (strings, a bool for the consent box) and shows the returned messages next to
the fields: every message is in the current language (built with ``_`` at call time) and says how to fix
the problem, not just that there is one.
"""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import email_validator
import phonenumbers
from babel import Locale, UnknownLocaleError

from kiosk.i18n import _, country_names
from kiosk.i18n.collation import collated
from kiosk.outbox.text import clean_text, longer_than_input_limit, normalize_digits

PRIVACY_NOTICE_VERSION = "2026-11"

NAME_MIN = 2
NAME_MAX = 100
DESCRIPTION_MAX = 500
AGE_MIN = 0
AGE_MAX = 120
EMAIL_MAX = 254  # RFC 5321 path limit
PHONE_INPUT_MAX = 40  # generous for spaces, dashes and a "+"; real numbers have at most 15 digits

# Most characters each text field of the form takes: the field stops there, and longer input is refused.
FIELD_LIMITS: dict[str, int] = {
    "full_name": NAME_MAX, "phone": PHONE_INPUT_MAX, "email": EMAIL_MAX, "age": 3, "description": DESCRIPTION_MAX,
}

CHANNELS: tuple[str, ...] = ("phone", "whatsapp", "email")
RELATIONS: tuple[str, ...] = ("self", "family")

# The form's field names, in the order the form shows them; keys of ``ValidationResult.errors``.
FIELD_NAMES: tuple[str, ...] = (
    "full_name", "country", "phone", "email", "contact_language", "channel", "relation", "age",
    "description", "consent",
)

# Alpha-2 codes Babel knows that are not countries a person lives in (EU, UN, pseudo-locales, and the
# "exceptionally reserved" codes ISO 3166 does not assign).
_NOT_COUNTRIES = frozenset({"CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "UN", "XA", "XB", "ZZ"})

# JSON format of a sealed request; bump when fields change so the hospital's side can tell.
FORMAT_VERSION = 1


class RequestFormatError(ValueError):
    """Bytes that are not a consultation request this code understands."""


@dataclass(frozen=True)
class ConsultationRequest:
    full_name: str
    country: str
    phone: str
    email: str
    contact_language: str
    channel: str
    relation: str
    age: int
    description: str
    consent: bool
    privacy_notice_version: str
    ui_language: str

    def to_json_bytes(self) -> bytes:
        """UTF-8 JSON (keys sorted, so the same request always gives the same bytes)."""
        document = {"format": FORMAT_VERSION, **asdict(self)}
        return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json_bytes(cls, data: bytes) -> ConsultationRequest:
        """Parse ``to_json_bytes`` output; raise ``RequestFormatError`` for anything else."""
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RequestFormatError(f"not UTF-8 JSON: {error}") from error
        if not isinstance(document, dict):
            raise RequestFormatError("not a JSON object")
        if document.get("format") != FORMAT_VERSION:
            raise RequestFormatError(f"unknown format {document.get('format')!r} (expected {FORMAT_VERSION})")
        values: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            if item.name not in document:
                raise RequestFormatError(f"missing field {item.name!r}")
            value = document[item.name]
            expected = {"int": int, "bool": bool}.get(str(item.type), str)
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise RequestFormatError(f"field {item.name!r} must be {expected.__name__}")
            values[item.name] = value
        return cls(**values)


@dataclass(frozen=True)
class ValidationResult:
    request: ConsultationRequest | None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.request is not None


def validate_form(fields: Mapping[str, object], *, ui_language: str | None = None) -> ValidationResult:
    """Check and clean raw form values; either a request or per-field messages, never both.

    ``fields`` uses the names in ``FIELD_NAMES``; missing keys count as empty. ``ui_language`` (or a
    ``"ui_language"`` entry) records the language the form was shown in; it defaults to the contact
    language.
    """
    errors: dict[str, str] = {}

    # Too long is refused, never cut: the hospital must read what the patient wrote, all of it.
    raw_name = _text(fields.get("full_name"))
    full_name = clean_text(raw_name, NAME_MAX + 1)
    if len(full_name) > NAME_MAX or longer_than_input_limit(raw_name, NAME_MAX):
        errors["full_name"] = _("Shorten the name to 100 characters or fewer.")
    elif len(full_name) < NAME_MIN or _letters(full_name) < NAME_MIN:
        # "$1.00" or nothing but joiners is not a name anyone can be called back by.
        errors["full_name"] = _("Enter your full name, at least 2 letters.")

    country = clean_text(_text(fields.get("country")), 3).upper()
    if not is_country_code(country):
        errors["country"] = _("Choose the country you live in from the list.")
        country = ""

    phone = _check_phone(_text(fields.get("phone")), country, errors)
    email = _check_email(_text(fields.get("email")), errors)

    contact_language = clean_text(_text(fields.get("contact_language")), 16)
    if not contact_language:
        contact_language = clean_text(_text(ui_language or fields.get("ui_language")), 16)
    if not is_language_code(contact_language):
        errors["contact_language"] = _("Choose the language we should use when we contact you.")

    channel = clean_text(_text(fields.get("channel")), 16)
    if channel not in CHANNELS:
        errors["channel"] = _("Choose how we should contact you: phone, WhatsApp or email.")
    elif channel == "email" and not email and "email" not in errors:
        errors["email"] = _("Enter your email address, or choose phone or WhatsApp to be contacted.")

    relation = clean_text(_text(fields.get("relation")), 16)
    if relation not in RELATIONS:
        errors["relation"] = _("Choose whether the request is for you or for a family member.")

    age = _check_age(fields.get("age"), errors)

    raw_description = _text(fields.get("description"))
    description = clean_text(raw_description, DESCRIPTION_MAX + 1, multiline=True)
    if len(description) > DESCRIPTION_MAX or longer_than_input_limit(raw_description, DESCRIPTION_MAX):
        errors["description"] = _("Shorten the description to 500 characters or fewer.")

    if fields.get("consent") is not True:
        errors["consent"] = _("Tick the box to agree that the hospital may contact you about this request.")

    if errors:
        return ValidationResult(None, errors)
    ui = clean_text(_text(ui_language or fields.get("ui_language")), 16) or contact_language
    request = ConsultationRequest(
        full_name=full_name,
        country=country,
        phone=phone,
        email=email,
        contact_language=contact_language,
        channel=channel,
        relation=relation,
        age=age,
        description=description,
        consent=True,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        ui_language=ui if is_language_code(ui) else contact_language,
    )
    return ValidationResult(request, {})


def is_country_code(code: str) -> bool:
    return len(code) == 2 and code.isascii() and code.isalpha() and code in _country_codes()


def is_language_code(code: str) -> bool:
    if not code or len(code) > 16 or not code.isascii():
        return False
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def phone_example(country: str) -> str:
    """A mobile number of ``country`` written the way people there write it ("0501 234 56 78")."""
    country = country.upper()
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        example = phonenumbers.example_number(country)
    if example is None:
        return "+44 7400 123456"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)


def country_choices(language: str) -> list[tuple[str, str]]:
    """``(code, name)`` for every country, named in ``language`` and sorted for that reader."""
    names = _country_names(language)
    pairs = [(code, str(names.get(code, code))) for code in _country_codes()]
    return collated(pairs, language, key=lambda pair: pair[1])


def _country_names(language: str) -> dict[str, str]:
    # The shipped languages' names are written out (kiosk/i18n/country_names.py): Babel would load the
    # language's whole locale data to give them.
    written = country_names.names(language.replace("-", "_"))
    if written is not None:
        return written
    try:
        return dict(Locale.parse(language.replace("-", "_")).territories)
    except (UnknownLocaleError, ValueError):
        return _english_names()


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    return frozenset(code for code in _english_names() if code not in _NOT_COUNTRIES)


def _english_names() -> dict[str, str]:
    return country_names.names("en") or {}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    return ""


def _letters(text: str) -> int:
    return sum(1 for char in text if unicodedata.category(char).startswith("L"))


def _check_phone(raw: str, country: str, errors: dict[str, str]) -> str:
    text = clean_text(normalize_digits(raw), PHONE_INPUT_MAX + 1)
    if not text:
        errors["phone"] = _("Enter a phone number where we can reach you.")
        return ""
    if len(text) > PHONE_INPUT_MAX or longer_than_input_limit(raw, PHONE_INPUT_MAX):
        errors["phone"] = _("Enter only one phone number, with its area code.")
        return ""
    try:
        number = phonenumbers.parse(text, country or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if country:
            errors["phone"] = _(
                "Enter the phone number with its area code, for example {example}."
            ).format(example=phone_example(country))
        else:
            errors["phone"] = _("Enter the phone number with its country code, for example +44 7400 123456.")
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_email(raw: str, errors: dict[str, str]) -> str:
    text = clean_text(raw, EMAIL_MAX + 1)
    if not text:
        return ""
    if len(text) > EMAIL_MAX or " " in text or longer_than_input_limit(raw, EMAIL_MAX):
        errors["email"] = _("Enter one email address, like name@example.com, without spaces.")
        return ""
    try:
        result = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError:
        errors["email"] = _("Check the email address: it should look like name@example.com.")
        return ""
    return str(result.normalized)


def _check_age(raw: object, errors: dict[str, str]) -> int:
    message = _("Enter the patient's age in whole years, from 0 to 120.")
    if isinstance(raw, bool):
        errors["age"] = message
        return 0
    if isinstance(raw, int):
        value = raw
    else:
        text = clean_text(normalize_digits(_text(raw)), 8).replace(" ", "")
        if not text.isascii() or not text.isdigit():
            errors["age"] = message
            return 0
        value = int(text)
    if not AGE_MIN <= value <= AGE_MAX:
        errors["age"] = message
        return 0
    return value
