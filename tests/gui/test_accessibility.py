"""Keyboards, screen readers and the high-contrast theme on a real kiosk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleActionInterface
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from kiosk.session.navigator import Screen
from kiosk.ui import theme

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QPlainTextEdit, QAbstractScrollArea)


def bar_shows_on(button) -> bool:
    return bool(button.property("on"))


def go(kiosk, screen: str) -> None:
    if screen == "reader":
        kiosk.navigator.open_section("causes")
    elif screen == "done":
        kiosk.done.show_result("K7MP-Q2XW", already_sent=False)
        kiosk.navigator.go(Screen.DONE)
    else:
        kiosk.navigator.go(Screen(screen))
    QApplication.processEvents()


def interactive_widgets(kiosk) -> set:
    """What a visitor can operate on the current screen: buttons, fields, and the reader's text."""
    found = set()
    for widget in kiosk.window.findChildren(QWidget):
        if not (widget.isVisible() and widget.isEnabled()) or isinstance(widget.parentWidget(), QComboBox):
            continue  # an editable combo box's line edit is part of the combo box
        if isinstance(widget, QAbstractScrollArea) and widget is not kiosk.reader.browser:
            continue  # scroll areas are containers; the form scrolls to each field as it gets focus
        if isinstance(widget, INTERACTIVE):
            found.add(widget)
    return found


def tab_walk(kiosk, start) -> list:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    seen = []
    for _ in range(120):
        widget = QApplication.focusWidget()
        if seen and widget is seen[-1]:
            QTest.keyClick(widget, Qt.Key.Key_Tab)  # Tab moves through the links of the reader's text first
            continue
        if widget in seen:
            break
        seen.append(widget)
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    return seen


def arrow_walk(start) -> set:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    seen = set()
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Left):
        for _ in range(len(start.group().buttons()) + 1):
            seen.add(QApplication.focusWidget())
            QTest.keyClick(QApplication.focusWidget(), key)
    return seen


@pytest.mark.parametrize("screen", ["home", "reader", "languages", "form", "done"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_tab_reaches_every_control_and_each_has_a_name(make_kiosk, screen, language):
    kiosk = make_kiosk(speech__engine="mock")
    kiosk.finish_startup()
    kiosk.translator.set_language(language)
    go(kiosk, screen)
    walked = tab_walk(kiosk, kiosk.window.top_bar.home_button)
    unnamed = [w for w in walked if not w.accessibleName().strip()]
    assert not unnamed, [(type(w).__name__, w.objectName()) for w in unnamed]
    # The inner part of a compound control (a combo box's line edit) counts as the control.
    reached = set(walked) | {w.parentWidget() for w in walked if w is not None}
    for widget in walked:
        if isinstance(widget, QAbstractButton) and widget.group() is not None:
            reached |= arrow_walk(widget)  # one-of-few choices: Tab enters the group, arrow keys move in it
    missed = [(type(w).__name__, w.objectName(), w.accessibleName()) for w in interactive_widgets(kiosk) - reached]
    assert not missed


@pytest.mark.parametrize("screen", ["home", "reader", "form"])
def test_every_control_has_a_description_or_a_self_explaining_name(make_kiosk, screen):
    kiosk = make_kiosk(speech__engine="mock")
    go(kiosk, screen)
    bar = kiosk.window.top_bar
    for button in (bar.home_button, bar.language_button, bar.text_size_button, bar.contrast_button,
                   bar.consult_button):
        assert button.accessibleName() and button.accessibleDescription(), button.objectName()
    if screen == "reader":
        for widget in (kiosk.reader.browser, kiosk.reader.previous_button, kiosk.reader.next_button,
                       kiosk.reader.read_aloud.read_button):
            assert widget.accessibleName() and widget.accessibleDescription(), widget.objectName()
    if screen == "form":
        form = kiosk.form
        for widget in (form.full_name, form.country, form.phone, form.email, form.age, form.description,
                       form.consent, form.send_button, form.cancel_button):
            assert widget.accessibleName() and widget.accessibleDescription(), widget.objectName()


def test_space_and_enter_operate_buttons(qtbot, make_kiosk):
    kiosk = make_kiosk()
    kiosk.navigator.open_section("causes")
    kiosk.reader.next_button.setFocus()
    QTest.keyClick(kiosk.reader.next_button, Qt.Key.Key_Space)
    assert kiosk.navigator.section == "diagnosis"
    kiosk.window.top_bar.contrast_button.setFocus()
    QTest.keyClick(kiosk.window.top_bar.contrast_button, Qt.Key.Key_Space)
    assert kiosk.visit.high_contrast


def test_one_of_several_choices_are_radio_buttons_named_by_their_label(qtbot, make_kiosk):
    kiosk = make_kiosk()
    kiosk.navigator.go(Screen.FORM)
    phone = kiosk.form.channel.buttons["phone"]
    assert phone.accessibleName() == "Phone call"
    qtbot.mouseClick(phone, Qt.MouseButton.LeftButton, pos=phone.rect().center())
    assert phone.isChecked() and phone.accessibleName() == "Phone call"
    interface = QAccessible.queryAccessibleInterface(phone)
    assert interface.role() == QAccessible.Role.RadioButton and interface.state().checked
    # The arrow keys move the choice within the row; only one is ever chosen.
    with qtbot.waitActive(kiosk.window):
        kiosk.window.activateWindow()
    phone.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(phone, Qt.Key.Key_Right)
    chosen = [button for button in kiosk.form.channel.buttons.values() if button.isChecked()]
    assert chosen == [kiosk.form.channel.buttons["whatsapp"]]


def test_enter_presses_the_focused_button_everywhere(qtbot, make_kiosk):
    kiosk = make_kiosk()
    kiosk.navigator.open_section("causes")
    kiosk.reader.next_button.setFocus()
    QTest.keyClick(kiosk.reader.next_button, Qt.Key.Key_Return)
    assert kiosk.navigator.section == "diagnosis"
    bar = kiosk.window.top_bar
    bar.contrast_button.setFocus()
    QTest.keyClick(bar.contrast_button, Qt.Key.Key_Enter)
    assert kiosk.visit.high_contrast
    bar.consult_button.setFocus()
    QTest.keyClick(bar.consult_button, Qt.Key.Key_Return)
    assert kiosk.navigator.screen is Screen.FORM
    kiosk.form.consent.setFocus()
    QTest.keyClick(kiosk.form.consent, Qt.Key.Key_Return)
    assert kiosk.form.consent.isChecked()


def test_default_action_of_language_and_contrast_buttons_does_what_a_tap_does(qtbot, make_kiosk):
    kiosk = make_kiosk()
    kiosk.finish_startup()
    kiosk.navigator.home()
    bar = kiosk.window.top_bar
    assert "English" in bar.language_button.accessibleName()
    contrast = QAccessible.queryAccessibleInterface(bar.contrast_button).actionInterface()
    assert contrast.actionNames()[0] == QAccessibleActionInterface.pressAction()
    contrast.doAction(contrast.actionNames()[0])  # Qt's Press is an animated click: it lands a moment later
    qtbot.waitUntil(lambda: kiosk.visit.high_contrast, timeout=3000)
    assert bar.contrast_button.accessibleName() == "High contrast: on"
    kiosk.navigator.go(Screen.LANGUAGES)
    german = next(button for button in kiosk.languages.buttons if button.code == "de")
    action = QAccessible.queryAccessibleInterface(german).actionInterface()
    assert action.actionNames()[0] == QAccessibleActionInterface.pressAction()
    action.doAction(action.actionNames()[0])
    qtbot.waitUntil(lambda: kiosk.translator.language == "de", timeout=3000)
    assert german.property("current")


def test_high_contrast_is_one_tap_away_and_ends_with_the_visit(qtbot, make_kiosk):
    kiosk = make_kiosk()
    kiosk.navigator.open_section("causes")
    button = kiosk.window.top_bar.contrast_button
    assert button.accessibleName() == "High contrast: off"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())
    hc = theme.HIGH_CONTRAST_PALETTE
    assert kiosk.visit.high_contrast and bar_shows_on(button)
    assert button.accessibleName() == "High contrast: on"
    assert f"background: {hc.background}" in kiosk.app.styleSheet()
    assert hc.accent in kiosk.reader.browser.document().defaultStyleSheet()
    assert "Primary dystonia" in kiosk.reader.plain_text()  # the page is still there, in the new colours
    # The body text is drawn in the theme's text colour on its background.
    assert kiosk.reader.browser.palette().color(kiosk.reader.browser.foregroundRole()).name() == hc.text
    kiosk.reset_visit()
    assert not kiosk.visit.high_contrast and not bar_shows_on(button)
    assert f"background: {hc.background}" not in kiosk.app.styleSheet()


@pytest.mark.parametrize("step", [0, 1, 2])
def test_the_bar_fits_a_portrait_screen_in_every_language(make_kiosk, step):
    kiosk = make_kiosk(size=(1080, 1920))
    kiosk.navigator.home()
    kiosk.visit.set_text_step(step)
    bar = kiosk.window.top_bar
    buttons = [bar.home_button, bar.language_button, bar.text_size_button, bar.contrast_button, bar.consult_button]
    for code in kiosk.translator.enabled:
        kiosk.translator.set_language(code)
        QApplication.processEvents()
        for button in buttons:
            assert button.width() >= button.sizeHint().width(), (code, step, button.objectName())
            assert button.width() >= 80 and button.height() >= 80
            assert button.geometry().right() <= bar.width(), (code, step, button.objectName())


def test_choosing_e_mail_without_an_address_says_why_send_waits(qtbot, make_kiosk):
    kiosk = make_kiosk()
    kiosk.navigator.go(Screen.FORM)
    form = kiosk.form
    form.channel.buttons["email"].click()
    assert not form.send_button.isEnabled()
    error = form.error_labels["email"]
    assert not error.isHidden() and "email address" in error.text()
    assert error.text() in form.email.accessibleDescription()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_tab_reaches_the_links_in_the_page_and_enter_opens_one(qtbot, make_kiosk, language):
    kiosk = make_kiosk()
    kiosk.translator.set_language(language)
    with qtbot.waitActive(kiosk.window):
        kiosk.window.activateWindow()
    kiosk.navigator.open_section("causes")
    browser = kiosk.reader.browser
    browser.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(browser, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is browser and browser.textCursor().selectedText()  # on a link
    QTest.keyClick(browser, Qt.Key.Key_Return)
    assert kiosk.navigator.section != "causes"
