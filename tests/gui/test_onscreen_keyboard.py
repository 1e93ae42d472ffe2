"""The on-screen keyboard in the kiosk window: the journey a patient makes, typed through its keys."""

from __future__ import annotations

import itertools
import json

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.i18n import keyboard_layouts as layouts
from kiosk.i18n.keyboard_layouts import Action, Page
from kiosk.session.navigator import Screen
from tests.gui.conftest import RECEIVER_TOKEN
from tests.gui.keyboard_typing import tap, tap_action, tap_field, type_by_keys, visible_in_window
from tests.gui.test_touch import Finger


def _open_form(kiosk, language: str):
    kiosk.translator.set_language(language)
    kiosk.navigator.home()
    tap(kiosk.window.top_bar.consult_button)
    assert kiosk.window.current_screen() == "form"
    return kiosk.form


# --- what each page offers -------------------------------------------------------------------------------
@pytest.mark.parametrize("language", sorted(layouts.ALPHABETS))
def test_every_letter_of_the_alphabet_has_a_key(language):
    alphabet = layouts.alphabet_for(language)
    typed = layouts.typed_characters(layouts.letters(language)) | layouts.typed_characters(
        layouts.letters(language, shifted=True))
    assert set("".join(alphabet.rows)) <= typed
    if alphabet.has_case:
        assert {layouts.upper(char, language) for char in "".join(alphabet.rows)} <= typed


def test_turkish_capitals_keep_the_dot():
    assert layouts.upper("i", "tr") == "İ" and layouts.upper("ı", "tr") == "I"
    assert "İ" in layouts.typed_characters(layouts.letters("tr", shifted=True))


@pytest.mark.parametrize("language", ["en", "ar", "fa", "ru"])
def test_the_email_page_has_everything_an_address_needs(language):
    page = layouts.typed_characters(layouts.layout(Page.EMAIL, language))
    assert {"@", ".", "-", "_"} <= page and set("abcdefghijklmnopqrstuvwxyz0123456789") <= page


@pytest.mark.parametrize(("language", "digits"), [("en", "0123456789"), ("ar", "٠١٢٣٤٥٦٧٨٩"),
                                                  ("fa", "۰۱۲۳۴۵۶۷۸۹")])
def test_the_dial_pad_has_plus_and_the_patients_digits(language, digits):
    pad = layouts.layout(Page.PHONE, language)
    assert "+" in layouts.typed_characters(pad) and set(digits) <= layouts.typed_characters(pad)
    western = layouts.layout(Page.PHONE, language, western=True)
    assert set("0123456789+") <= layouts.typed_characters(western)
    age = layouts.layout(Page.DIGITS, language)
    assert layouts.typed_characters(age) == set(digits)


# --- in the window ---------------------------------------------------------------------------------------
def test_the_keyboard_opens_for_a_field_and_takes_its_room_from_the_screen(qtbot, make_kiosk):
    kiosk = make_kiosk(size=(1280, 720))
    form = _open_form(kiosk, "en")
    stack_before = kiosk.window.stack.height()
    tap_field(kiosk, form.full_name)
    qtbot.waitUntil(lambda: kiosk.window.stack.height() < stack_before)
    panel_top = kiosk.keyboard.panel.mapTo(kiosk.window, kiosk.keyboard.panel.rect().topLeft()).y()
    assert kiosk.window.height() == 720, "the keyboard never makes the window taller than the screen"
    assert panel_top + kiosk.keyboard.panel.height() == 720 - kiosk.window.status_strip.height() * \
        kiosk.window.status_strip.isVisible()
    assert all(key.height() >= 80 for key in kiosk.keyboard.panel.keys), "keys are kiosk-sized targets"
    tap_action(kiosk, Action.HIDE)
    assert not kiosk.keyboard.visible and not form.full_name.hasFocus()
    qtbot.waitUntil(lambda: kiosk.window.stack.height() == stack_before)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (1080, 1920), (1024, 768)])
@pytest.mark.parametrize("language", ["en", "ar", "ru"])
def test_the_focused_field_is_always_above_the_keyboard(qtbot, make_kiosk, language, size):
    kiosk = make_kiosk(size=size)
    form = _open_form(kiosk, language)
    for step in (0, 2):
        kiosk.visit.set_text_step(step)
        viewport = form.scroll.viewport()
        # Reached by tapping each field, then by the keyboard's Next key from the first one.
        for field in form.text_fields():
            tap_field(kiosk, field)
            _assert_field_in_sight(qtbot, kiosk, field, viewport, f"{language} {size} step {step} tap")
        tap_field(kiosk, form.full_name)
        for field in form.text_fields()[1:]:
            tap_action(kiosk, Action.NEXT)
            qtbot.waitUntil(lambda field=field: kiosk.keyboard.field is field, timeout=2000)
            _assert_field_in_sight(qtbot, kiosk, field, viewport, f"{language} {size} step {step} next")
        tap_action(kiosk, Action.NEXT)  # after the last field: the consent, and the keyboard is out of the way
        qtbot.waitUntil(lambda: not kiosk.keyboard.visible, timeout=2000)
        assert QApplication.focusWidget() is form.consent


def _assert_field_in_sight(qtbot, kiosk, field, viewport, where: str) -> None:
    def shown() -> bool:
        field_top, field_bottom = visible_in_window(field)
        view_top, view_bottom = visible_in_window(viewport)
        panel_top, _panel_bottom = visible_in_window(kiosk.keyboard.panel)
        return view_top <= field_top and field_bottom <= view_bottom <= panel_top

    qtbot.waitUntil(shown, timeout=2000)
    assert kiosk.keyboard.visible, where


def test_each_field_opens_its_own_page_and_names_are_back_in_the_patients_alphabet(qtbot, make_kiosk):
    kiosk = make_kiosk()
    form = _open_form(kiosk, "ru")
    tap_field(kiosk, form.email)
    assert kiosk.keyboard.page is Page.EMAIL and kiosk.keyboard.key_for("@") is not None
    tap_field(kiosk, form.description)
    assert kiosk.keyboard.page is Page.LETTERS and kiosk.keyboard.key_for("Т") is not None
    tap_action(kiosk, Action.LATIN)
    assert kiosk.keyboard.key_for("T") is not None
    tap_field(kiosk, form.full_name)
    assert kiosk.keyboard.page is Page.LETTERS and kiosk.keyboard.key_for("Й") is not None, \
        "a new field starts in the patient's alphabet, with a capital first letter"
    tap_field(kiosk, form.phone)
    assert kiosk.keyboard.page is Page.PHONE and kiosk.keyboard.key_for("+") is not None
    tap_field(kiosk, form.age)
    assert kiosk.keyboard.page is Page.DIGITS


def test_a_language_switch_changes_the_open_keyboard_and_keeps_the_patient_on_the_form(qtbot, make_kiosk):
    kiosk = make_kiosk()
    form = _open_form(kiosk, "en")
    tap_field(kiosk, form.full_name)
    tap(kiosk.window.top_bar.language_button)
    assert kiosk.window.current_screen() == "languages" and not kiosk.keyboard.visible
    kiosk.languages.languageChosen.emit("ar")
    assert kiosk.window.current_screen() == "form", "the picker opened from the form goes back to the form"
    tap_field(kiosk, kiosk.form.full_name)
    assert kiosk.keyboard.key_for("ض") is not None


@pytest.mark.parametrize("language", ["ar", "fa", "ru", "tr"])
def test_turk_finds_turkiye_in_every_language(qtbot, make_kiosk, language):
    kiosk = make_kiosk()
    form = _open_form(kiosk, language)
    tap_field(kiosk, form.country)
    type_by_keys(kiosk, "Turk")
    rows = form.country_suggestions.rows
    assert rows and all(row.height() >= 80 for row in rows)
    assert form.country_suggestions.isVisible()

    def list_in_sight() -> bool:
        field_top, _field_bottom = visible_in_window(form.country)
        _list_top, list_bottom = visible_in_window(form.country_suggestions)
        view_top, view_bottom = visible_in_window(form.scroll.viewport())
        panel_top, _bottom = visible_in_window(kiosk.keyboard.panel)
        return view_top <= field_top and list_bottom <= view_bottom <= panel_top

    qtbot.waitUntil(list_in_sight, timeout=2000)  # suggestions open where the keyboard is not
    turkey = next(row for row in rows if row.text() == dict(_countries(language))["TR"])
    tap(turkey)
    assert form.values()["country"] == "TR" and form.country.text() == turkey.text()


def _countries(language: str):
    from kiosk.outbox.request import country_choices

    return country_choices(language)


JOURNEYS = {
    "en": dict(name="Mary O'Neill", country="Germ", country_code="DE", phone="+49 151 23456789",
               email="mary.oneill@example.org", age="52", description="Neck pulls to the left"),
    "ar": dict(name="ليلى حداد", country="لبن", country_code="LB", phone="٧١ ١٢٣ ٤٥٦", email="",
               age="٤٥", description="رعشة في اليد"),
    "ru": dict(name="Ольга Иванова", country="Росс", country_code="RU", phone="+7 916 123 45 67",
               email="olga_i@example.ru", age="38", description="тремор"),
    "fa": dict(name="زهرا رضایی", country="ایر", country_code="IR", phone="۰۹۱۲ ۳۴۵ ۶۷۸۹",
               email="", age="۶۰", description="گرفتگی گردن"),
}


@pytest.mark.parametrize("language", sorted(JOURNEYS))
def test_a_patient_fills_and_sends_the_whole_form_by_tapping_keys(qtbot, make_kiosk, keys, receiver, language):
    journey = JOURNEYS[language]
    kiosk = make_kiosk(delivery__hospital_public_key=keys[1], delivery__endpoint=receiver.url,
                       delivery__token=RECEIVER_TOKEN)
    kiosk.finish_startup()
    form = _open_form(kiosk, language)
    tap_field(kiosk, form.full_name)
    type_by_keys(kiosk, journey["name"])
    tap_action(kiosk, Action.NEXT)
    assert kiosk.keyboard.field is form.country
    type_by_keys(kiosk, journey["country"])
    tap(next(row for row in form.country_suggestions.rows
             if row.text() == dict(_countries(language))[journey["country_code"]]))
    tap_field(kiosk, form.phone)
    type_by_keys(kiosk, journey["phone"])
    if journey["email"]:
        tap_action(kiosk, Action.NEXT)
        assert kiosk.keyboard.field is form.email and kiosk.keyboard.page is Page.EMAIL
        type_by_keys(kiosk, journey["email"])
    tap(form.channel.buttons["email" if journey["email"] else "whatsapp"])
    tap(form.relation.buttons["self"])
    tap_field(kiosk, form.age)
    type_by_keys(kiosk, journey["age"])
    tap_action(kiosk, Action.NEXT)
    assert kiosk.keyboard.field is form.description and kiosk.keyboard.page is Page.LETTERS
    type_by_keys(kiosk, journey["description"])
    tap_action(kiosk, Action.NEXT)
    assert not kiosk.keyboard.visible
    tap(form.consent_row)
    assert form.consent.isChecked()
    assert form.send_button.isEnabled(), form.values()
    tap(form.send_button)
    assert kiosk.window.current_screen() == Screen.DONE.value
    qtbot.waitUntil(lambda: receiver.ingestor.store.count() == 1, timeout=10000)
    received = json.loads(receiver.ingestor.store.stored()[0].request_json)
    fields = received.get("fields", received)
    assert fields["full_name"] == journey["name"]
    assert fields["country"] == journey["country_code"]
    assert fields["description"] == journey["description"]
    assert fields["email"] == journey["email"]
    assert int(fields["age"]) == int(layouts.digits_for("en")[0] + "".join(
        str(int(char)) for char in journey["age"]))
    assert fields["phone"].startswith("+")
    qtbot.waitUntil(lambda: kiosk.done.sent, timeout=5000)
    assert kiosk.done.delivery.objectName() == "Success", "sent looks like success, not like a notice"


def test_a_double_tap_on_the_consent_text_counts_once(qtbot, make_kiosk):
    kiosk = make_kiosk()
    form = _open_form(kiosk, "en")
    row = form.consent_row
    form.scroll.ensureWidgetVisible(row)  # a finger can only touch what is on the screen
    QTest.qWait(500)  # well after the tap that opened the form
    finger = Finger(kiosk)
    finger.tap(row)
    finger.tap(row)  # a bounce, at once: the touch rules ignore it, as on every button
    assert form.consent.isChecked()
    QTest.qWait(500)
    finger.tap(row)  # a deliberate second touch takes the consent back
    assert not form.consent.isChecked()


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080), (1280, 720)])
@pytest.mark.parametrize("language", ["uk", "fa", "ru", "ar", "de"])
def test_every_key_is_a_full_target_in_both_orientations(qtbot, make_kiosk, language, size):
    kiosk = make_kiosk(size=size)
    form = _open_form(kiosk, language)
    for field in (form.full_name, form.email, form.phone):
        tap_field(kiosk, field)
        qtbot.waitUntil(lambda: kiosk.keyboard.visible and bool(kiosk.keyboard.panel.keys))
        QApplication.processEvents()
        keys = kiosk.keyboard.panel.keys
        assert min(key.width() for key in keys) >= 80, (language, size, field.objectName(),
                                                         sorted(key.width() for key in keys)[:3])
        assert min(key.height() for key in keys) >= 80
        rows: dict[int, list] = {}
        for key in keys:
            rows.setdefault(key.y(), []).append(key)
        for row in rows.values():
            row.sort(key=lambda key: key.x())
            gaps = [right.x() - (left.x() + left.width()) for left, right in itertools.pairwise(row)]
            assert min(gaps, default=8) >= 8, (language, size, gaps)
        assert max(key.x() + key.width() for key in keys) <= kiosk.window.width()
