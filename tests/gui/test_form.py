"""A patient fills in and sends the consultation form, as they would on the touch screen."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtWidgets import QApplication

from kiosk.outbox.request import ConsultationRequest
from kiosk.receiver.opening import open_sealed
from kiosk.session.navigator import Screen


@pytest.fixture
def form_kiosk(make_kiosk, keys):
    _private, public = keys
    kiosk = make_kiosk(delivery__hospital_public_key=public)
    kiosk.navigator.home()
    kiosk.window.top_bar.consult_button.click()
    assert kiosk.window.current_screen() == "form"
    return kiosk


def _type(qtbot, widget, text: str) -> None:
    """Type as the on-screen keyboard does: each character committed through the input method."""
    widget.setFocus()
    for character in text:
        event = QInputMethodEvent("", [])
        event.setCommitString(character)
        QApplication.sendEvent(widget, event)


def _tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


def _fill(qtbot, kiosk, name: str, country: str, phone: str, age: str, email: str = "") -> None:
    form = kiosk.form
    _type(qtbot, form.full_name, name)
    form.choose_country(country)
    _type(qtbot, form.phone, phone)
    if email:
        _type(qtbot, form.email, email)
    _tap(qtbot, form.channel.buttons["whatsapp"])
    _tap(qtbot, form.relation.buttons["self"])
    _type(qtbot, form.age, age)
    _type(qtbot, form.description, "Neck turns to the left since 2019.")


def _stored_requests(kiosk, private_key: str) -> list[ConsultationRequest]:
    connection = sqlite3.connect(kiosk.outbox.path)
    try:
        rows = connection.execute("SELECT sealed FROM requests WHERE sealed IS NOT NULL").fetchall()
    finally:
        connection.close()
    return [ConsultationRequest.from_json_bytes(open_sealed(row[0], private_key)) for row in rows]


def test_send_is_only_possible_once_everything_required_is_valid(qtbot, form_kiosk, keys):
    form = form_kiosk.form
    assert not form.send_button.isEnabled()
    _fill(qtbot, form_kiosk, "Ayşe Yılmaz", "TR", "0532 123 45 67", "34")
    assert not form.send_button.isEnabled(), "consent is unticked at start"
    _tap(qtbot, form.consent)
    assert form.send_button.isEnabled()


def test_patient_sends_a_request_in_english(qtbot, form_kiosk, keys):
    private, _public = keys
    form = form_kiosk.form
    _fill(qtbot, form_kiosk, "John Smith", "GB", "07400 123456", "52", email="john@example.org")
    _tap(qtbot, form.consent)
    _tap(qtbot, form.send_button)
    assert form_kiosk.window.current_screen() == "done"
    code = form_kiosk.done.reference.text().strip("\u2066\u2069")
    assert len(code) == 9 and code[4] == "-" and not set(code) & set("O0I1")
    stored = _stored_requests(form_kiosk, private)
    assert len(stored) == 1
    request = stored[0]
    assert request.full_name == "John Smith" and request.phone == "+447400123456"
    assert request.email == "john@example.org" and request.age == 52 and request.channel == "whatsapp"
    assert request.consent and request.privacy_notice_version
    assert "saved on this kiosk" in form_kiosk.done.delivery.text()
    assert form_kiosk.form is not form, "a new, empty form waits for the next visitor"


def test_arabic_patient_with_eastern_arabic_digits(qtbot, form_kiosk, keys):
    private, _public = keys
    form_kiosk.translator.set_language("ar")
    form = form_kiosk.form
    assert form.contact_language.currentData() == "ar"
    _fill(qtbot, form_kiosk, "محمد العلي", "SA", "٠٥٠ ١٢٣ ٤٥٦٧", "٤٥")
    _tap(qtbot, form.consent)
    assert form.send_button.isEnabled(), form._errors
    _tap(qtbot, form.send_button)
    request = _stored_requests(form_kiosk, private)[0]
    assert request.full_name == "محمد العلي" and request.age == 45 and request.phone == "+966501234567"
    assert request.ui_language == "ar"


def test_russian_patient(qtbot, form_kiosk, keys):
    private, _public = keys
    form_kiosk.translator.set_language("ru")
    _fill(qtbot, form_kiosk, "Иван Петров", "RU", "8 912 345-67-89", "61")
    _tap(qtbot, form_kiosk.form.consent)
    _tap(qtbot, form_kiosk.form.send_button)
    assert _stored_requests(form_kiosk, private)[0].phone == "+79123456789"


def test_errors_appear_next_to_the_field_and_say_how_to_fix_it(qtbot, form_kiosk):
    form = form_kiosk.form
    form.choose_country("TR")
    _type(qtbot, form.phone, "12")
    error = form.error_labels["phone"]
    assert error.isVisible() and error.text()
    assert not form.error_labels["full_name"].isVisible(), "untouched fields stay quiet"
    _type(qtbot, form.age, "200")
    assert form.error_labels["age"].isVisible()


def test_hostile_input_is_just_text(qtbot, form_kiosk, keys):
    private, _public = keys
    form = form_kiosk.form
    hostile = "Robert'); DROP TABLE requests;-- <b>x</b> \u202eevil\u202c 😀"
    form.full_name.setText(hostile + "x" * 10_000)
    form._edited("full_name")
    assert form.error_labels["full_name"].isVisible()
    form.full_name.setText(hostile)
    _fill(qtbot, form_kiosk, "", "DE", "030 1234567", "40")
    _tap(qtbot, form.consent)
    _tap(qtbot, form.send_button)
    request = _stored_requests(form_kiosk, private)[0]
    assert "DROP TABLE" in request.full_name and "\u202e" not in request.full_name


def test_nothing_of_a_visitor_survives_the_reset(qtbot, form_kiosk):
    form = form_kiosk.form
    _fill(qtbot, form_kiosk, "Secret Name", "TR", "0532 123 45 67", "34", email="secret@example.org")
    form.full_name.selectAll()
    form.full_name.copy()
    assert QGuiApplication.clipboard().text() == "Secret Name"
    old_widgets = [form.full_name, form.phone, form.email]
    assert old_widgets[0].isUndoAvailable()
    form_kiosk.reset_visit()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    form_kiosk.navigator.home()
    _tap(qtbot, form_kiosk.window.top_bar.consult_button)  # the next visitor opens the form
    new = form_kiosk.form
    assert new is not form
    assert QGuiApplication.clipboard().text() == ""
    for widget in (new.full_name, new.phone, new.email, new.age):
        assert widget.text() == "" and not widget.isUndoAvailable()
    assert new.description.toPlainText() == "" and not new.consent.isChecked()
    new.full_name.undo()
    assert new.full_name.text() == ""
    texts = [w.text() for w in form_kiosk.window.findChildren(type(new.full_name))]
    assert not any("Secret" in text for text in texts)


def test_home_forgets_a_half_filled_form(qtbot, form_kiosk):
    form = form_kiosk.form
    _type(qtbot, form.full_name, "Half Filled")
    _tap(qtbot, form_kiosk.window.top_bar.home_button)
    _tap(qtbot, form_kiosk.window.top_bar.consult_button)
    assert form_kiosk.form is not form and form_kiosk.form.full_name.text() == ""


def test_without_a_hospital_key_the_form_says_ask_at_the_desk_before_anything_is_typed(qtbot, make_kiosk):
    kiosk = make_kiosk(delivery__hospital_public_key="")  # the kiosk cannot seal: it must not take requests
    kiosk.navigator.home()
    kiosk.navigator.go(Screen.FORM)
    form = kiosk.form
    assert form.unavailable and form.unavailable_notice.isVisible()
    assert "reception desk" in form.unavailable_notice.text()
    assert not any(field.isVisible() for field in (*form.text_fields(), form.send_button, form.consent_row))
    assert form.cancel_button.isVisible() and form.cancel_button.text() == "Back"
    _tap(qtbot, form.cancel_button)
    assert kiosk.window.current_screen() == "home"
    assert kiosk.outbox.status().undelivered == 0


def test_a_field_stops_at_its_limit_and_says_so(qtbot, form_kiosk, keys):
    form = form_kiosk.form
    _type(qtbot, form.full_name, "N" * 100)
    assert not form.error_labels["full_name"].isVisible()
    _type(qtbot, form.full_name, "x")  # one key too many: refused, with a message beside the field
    assert form.full_name.text() == "N" * 100
    assert form.error_labels["full_name"].isVisible()
    assert form.error_labels["full_name"].text() == "This field holds at most 100 characters."


def test_an_over_long_paste_is_refused_whole_never_cut(qtbot, form_kiosk, keys):
    private, _public = keys
    form = form_kiosk.form
    _fill(qtbot, form_kiosk, "Ayşe Yılmaz", "TR", "0532 123 45 67", "34")
    before = form.description.toPlainText()
    form.description.setFocus()
    form.description.insertPlainText("y" * 832)  # as a paste from an attached keyboard arrives
    assert form.description.toPlainText() == before
    assert "500" in form.error_labels["description"].text()
    form.full_name.setFocus()
    form.full_name.selectAll()
    form.full_name.insert("Z" * 115)
    assert form.full_name.text() == "Ayşe Yılmaz"
    _tap(qtbot, form.consent)
    _tap(qtbot, form.send_button)
    [stored] = _stored_requests(form_kiosk, private)
    assert (stored.full_name, stored.description) == ("Ayşe Yılmaz", before)


def test_the_outbox_size_cap_is_the_configured_one(make_kiosk):
    kiosk = make_kiosk(delivery__outbox_max_mb=1)
    kiosk.finish_startup()
    connection = kiosk.outbox._connection
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    assert connection.execute("PRAGMA max_page_count").fetchone()[0] == 1024 * 1024 // page_size


def test_a_country_with_an_ampersand_is_shown_and_chosen_as_written(qtbot, form_kiosk):
    from PySide6.QtGui import QKeySequence

    form = form_kiosk.form
    _type(qtbot, form.country, "Bosnia")
    qtbot.waitUntil(lambda: form.country_suggestions.isVisible())
    [row] = form.country_suggestions.rows
    # A button reads a single "&" as a shortcut mark and hides it ("Bosnia  Herzegovina").
    assert row.text() == "Bosnia && Herzegovina" and QKeySequence.mnemonic(row.text()).isEmpty()
    assert row.accessibleName() == "Bosnia & Herzegovina"
    assert form.country_suggestions.values() == ["Bosnia & Herzegovina"]
    row.click()
    assert form.country.text() == "Bosnia & Herzegovina"
    assert form.values()["country"] == "BA"
