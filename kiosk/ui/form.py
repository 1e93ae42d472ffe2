"""The consultation request form.

The form only collects raw values and shows what it is told: it emits ``changed`` and
``submitRequested`` with a plain dict, and the app answers with ``show_validation``. A new form is
built for every visitor (``QLineEdit.clear()`` keeps undo history, which would hand the previous
visitor's name to the next one).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import _
from kiosk.i18n.formatting import format_number
from kiosk.i18n.languages import LanguageInfo
from kiosk.i18n.text import isolate_ltr
from kiosk.ui.theme import MIN_TARGET_PX
from kiosk.ui.widgets.flow_layout import FlowLayout
from kiosk.ui.widgets.length_limit import LengthLimit
from kiosk.ui.widgets.read_aloud import ReadAloudControls
from kiosk.ui.widgets.scroll_page import fit_to_screen
from kiosk.ui.widgets.suggestions import SuggestionList

SCROLL_MARGIN_PX = 24  # room kept above and below a field scrolled into view
FIELDS_IN_ORDER = ("full_name", "country", "phone", "email", "contact_language", "channel", "relation", "age",
                   "description", "consent")


def _no_menu(widget: QWidget) -> QWidget:
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    return widget


class ChoiceRow(QWidget):
    """Large buttons for a one-of-few choice (channel, who the request is for).

    Radio buttons drawn as large buttons: a screen reader calls them radio buttons and says which one is
    chosen, Tab reaches the row once and the arrow keys move within it."""

    changed = Signal()

    def __init__(self, values: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Wraps onto a second row rather than widening the form past a narrow portrait screen.
        layout = FlowLayout(self, spacing=16, uniform=True)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for value in values:
            button = QRadioButton(self)
            button.setObjectName("ChoiceButton")
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.group.addButton(button)
            self.buttons[value] = button
            layout.addWidget(button)
        # Toggled, not clicked: a screen reader's action checks the button without a click, and must count.
        self.group.buttonToggled.connect(lambda _button, on: on and self.changed.emit())

    def describe(self) -> None:
        """Named by its label; a screen reader says "selected" from the radio button's own state."""
        for button in self.buttons.values():
            button.setAccessibleName(button.text())

    def value(self) -> str:
        return next((value for value, button in self.buttons.items() if button.isChecked()), "")

    def set_value(self, value: str) -> None:
        if value in self.buttons:
            self.buttons[value].setChecked(True)


class ConsentRow(QAbstractButton):
    """A check box with a wrapping label beside it; touching anywhere on the row toggles it.

    A ``QCheckBox`` never wraps its text: in a long language its one line would widen the whole form past a
    portrait screen. The row is itself a button, so the kiosk's touch rules (a bounce or a double tap counts
    once) apply to it as to every other button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the check box inside takes the focus and Space
        # A button's usual policy would make its one-line width the minimum: the label must wrap instead.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(MIN_TARGET_PX)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        self.check = QCheckBox(self)
        self.check.setObjectName("Consent")
        self.check.setMinimumSize(MIN_TARGET_PX, MIN_TARGET_PX)
        # Touches go to the row (and through the touch rules); the keyboard still reaches the check box.
        self.check.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label = QLabel(self)
        self.label.setObjectName("ConsentText")
        self.label.setWordWrap(True)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout.addWidget(self.check, 0)  # not aligned: an aligned item gets its size hint, under the 80 px
        layout.addWidget(self.label, 1)
        self.clicked.connect(self.check.toggle)

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.check.setAccessibleName(text)
        self.setAccessibleName(text)  # the row is a button too (a touch anywhere on it ticks the box)

    def paintEvent(self, _event) -> None:
        """The check box and the label inside draw the row."""


class ConsultationForm(QWidget):
    changed = Signal(dict)
    submitRequested = Signal(dict)
    cancelRequested = Signal()

    def __init__(self, languages: list[LanguageInfo], countries: list[tuple[str, str]], current_language: str,
                 description_max: int, usual_count: int = 0, parent: QWidget | None = None,
                 limits: Mapping[str, int] | None = None) -> None:
        """``limits``: most characters per text field (the request's own limits), so a field stops there."""
        super().__init__(parent)
        self.setObjectName("FormScreen")
        self._description_max = description_max
        self._limits = {"description": description_max, **(limits or {})}
        self._touched: set[str] = set()
        self._errors: dict[str, str] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The form itself takes the focus when it opens (a field would open the keyboard at once); a ring
        # shows it there (the theme's FormScroll rules).
        self.scroll.setObjectName("FormScroll")
        outer.addWidget(self.scroll)
        body = QWidget()
        body.setObjectName("FormBody")
        self.scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(48, 24, 48, 32)
        layout.setSpacing(10)

        self.heading = QLabel(body)
        self.heading.setObjectName("ScreenTitle")
        self.heading.setWordWrap(True)
        self.intro = QLabel(body)
        self.intro.setWordWrap(True)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        self.unavailable_notice = QLabel(body)
        self.unavailable_notice.setObjectName("Notice")
        self.unavailable_notice.setWordWrap(True)
        self.unavailable_notice.hide()
        layout.addWidget(self.unavailable_notice)
        self._unavailable = False

        self.full_name = _no_menu(QLineEdit(body))
        # A search field with suggestions under it, in the form: a drop-down list would open over the keyboard.
        self.country = _no_menu(QLineEdit(body))
        self.country.setMaxLength(80)
        self.country_suggestions = SuggestionList(body)
        self._ui_language = current_language
        self._usual_countries = tuple(code for code, _name in countries[:usual_count])
        self._country_names = dict(countries)
        self._country_code = ""
        self.phone = _no_menu(QLineEdit(body))
        self.phone.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self.email = _no_menu(QLineEdit(body))
        # Latin only: the keyboard offers its Latin layout for an address whatever the patient's language.
        self.email.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly
                                       | Qt.InputMethodHint.ImhLatinOnly
                                       | Qt.InputMethodHint.ImhNoAutoUppercase
                                       | Qt.InputMethodHint.ImhNoPredictiveText)
        self.contact_language = _no_menu(QComboBox(body))
        for info in languages:
            self.contact_language.addItem(info.native_name, info.code)
        self.contact_language.setCurrentIndex(max(0, self.contact_language.findData(current_language)))
        for combo in (self.contact_language,):
            # Sized to the screen, not to the longest country name: that one would widen the whole form past
            # a portrait screen at the largest text size.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        self.channel = ChoiceRow(("phone", "whatsapp", "email"), body)
        self.relation = ChoiceRow(("self", "family"), body)
        self.age = _no_menu(QLineEdit(body))
        self.age.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.age.setMaximumWidth(220)
        self.description = _no_menu(QPlainTextEdit(body))
        self.description.setFixedHeight(150)
        self.description.setTabChangesFocus(True)
        self.counter = QLabel(body)
        self.counter.setObjectName("Counter")
        self.privacy = QLabel(body)
        self.privacy.setObjectName("Privacy")
        self.privacy.setWordWrap(True)
        self.privacy_voice = ReadAloudControls(body)
        self.privacy_voice.hide()  # shown by the app when a voice exists for the language
        self.consent_row = ConsentRow(body)
        self.consent = self.consent_row.check
        for widget in (self.full_name, self.phone, self.email, self.age):
            widget.setInputMethodHints(widget.inputMethodHints() | Qt.InputMethodHint.ImhSensitiveData
                                       | Qt.InputMethodHint.ImhNoPredictiveText)

        self.labels: dict[str, QLabel] = {}
        self.error_labels: dict[str, QLabel] = {}
        widgets: dict[str, QWidget] = {
            "full_name": self.full_name, "country": self.country, "phone": self.phone, "email": self.email,
            "contact_language": self.contact_language, "channel": self.channel, "relation": self.relation,
            "age": self.age, "description": self.description,
        }
        for name, widget in widgets.items():
            label = QLabel(body)
            label.setObjectName("FieldLabel")
            label.setWordWrap(True)
            label.setBuddy(widget)
            error = QLabel(body)
            error.setObjectName("FieldError")
            error.setWordWrap(True)
            error.hide()
            self.labels[name], self.error_labels[name] = label, error
            layout.addSpacing(8)
            layout.addWidget(label)
            layout.addWidget(widget)
            if name == "description":
                layout.addWidget(self.counter)
            if name == "country":
                layout.addWidget(self.country_suggestions)
            layout.addWidget(error)
        layout.addSpacing(12)
        layout.addWidget(self.privacy)
        layout.addWidget(self.privacy_voice, 0, Qt.AlignmentFlag.AlignLeading)
        layout.addWidget(self.consent_row)
        consent_error = QLabel(body)
        consent_error.setObjectName("FieldError")
        consent_error.setWordWrap(True)
        consent_error.hide()
        self.error_labels["consent"] = consent_error
        layout.addWidget(consent_error)
        self.form_error = QLabel(body)
        self.form_error.setObjectName("FieldError")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        layout.addWidget(self.form_error)

        buttons = QGridLayout()
        buttons.setSpacing(24)
        self.cancel_button = QPushButton(body)
        self.cancel_button.setObjectName("CancelButton")
        self.send_button = QPushButton(body)
        self.send_button.setObjectName("SendButton")
        self.send_button.setEnabled(False)
        buttons.addWidget(self.cancel_button, 0, 0)
        buttons.addWidget(self.send_button, 0, 1)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(1)

        for name, line in (("full_name", self.full_name), ("phone", self.phone), ("email", self.email),
                           ("age", self.age)):
            line.textEdited.connect(lambda _text, field=name: self._edited(field))
        self.country.textChanged.connect(self._country_typed)
        self.country_suggestions.chosen.connect(self.choose_country)
        self.contact_language.currentIndexChanged.connect(lambda _i: self._edited("contact_language"))
        self.channel.changed.connect(lambda: self._edited("channel"))
        self.relation.changed.connect(lambda: self._edited("relation"))
        self.description.textChanged.connect(lambda: self._edited("description"))
        self.consent.toggled.connect(lambda _on: self._edited("consent"))
        self.send_button.clicked.connect(self._send)
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.length_limits: dict[str, LengthLimit] = {}
        for name, limit in self._limits.items():
            if name in widgets:
                holder = LengthLimit(widgets[name], limit)
                holder.refused.connect(lambda field=name: self._refused_as_too_long(field))
                self.length_limits[name] = holder
        # Whatever gets the focus scrolls into view (the keyboard's Tab, a screen reader's focus, a switch).
        for widget in (self.full_name, self.country, self.phone, self.email, self.age, self.description,
                       self.contact_language, *self.channel.buttons.values(), *self.relation.buttons.values(),
                       self.consent, self.cancel_button, self.send_button):
            widget.installEventFilter(self)
        self.scroll.viewport().installEventFilter(self)
        fit_to_screen(self.scroll)  # drag to scroll, never sideways
        self.retranslate()

    # --- values ---------------------------------------------------------------------------------------
    def values(self) -> dict:
        return {
            "full_name": self.full_name.text(),
            "country": self._country_code,
            "phone": self.phone.text(),
            "email": self.email.text(),
            "contact_language": self.contact_language.currentData() or "",
            "channel": self.channel.value(),
            "relation": self.relation.value(),
            "age": self.age.text(),
            "description": self.description.toPlainText(),
            "consent": self.consent.isChecked(),
        }

    def wipe(self) -> None:
        """Empty every field now; the widget itself is deleted a moment later."""
        for line in (self.full_name, self.phone, self.email, self.age, self.country):
            line.setText("")
        self.description.setPlainText("")
        for holder in self.length_limits.values():
            holder.forget()
        self.consent.setChecked(False)

    @property
    def values_entered(self) -> bool:
        return bool(self._touched)

    def show_validation(self, errors: dict[str, str], ok: bool, show_all: bool = False) -> None:
        """Errors appear beside fields the patient has already filled (or all of them after Send)."""
        self._errors = dict(errors)
        if show_all:
            self._touched.update(FIELDS_IN_ORDER)
        shown = set(self._touched)
        if "channel" in shown:
            shown.add("email")  # choosing e-mail asks for the address: say so at once, not a silent Send
        for name, label in self.error_labels.items():
            message = errors.get(name, "") if name in shown else ""
            label.setText(message)
            label.setVisible(bool(message))
            self._describe_field(name, message)
        form_message = errors.get("form", "")
        self.form_error.setText(form_message)
        self.form_error.setVisible(bool(form_message))
        self.send_button.setEnabled(ok)
        self._update_counter()

    def _describe_field(self, name: str, error: str = "") -> None:
        """A screen reader hears whether a field is needed, or what is wrong with it."""
        widget = self.consent if name == "consent" else self.labels[name].buddy()
        if widget is None:
            return
        required = name not in ("email", "contact_language", "description")
        widget.setAccessibleDescription(error or (_("Required") if required else _("Optional")))

    def first_error_widget(self) -> QWidget | None:
        for name in FIELDS_IN_ORDER:
            if self.error_labels[name].isVisible():
                return self.error_labels[name]
        return None

    def set_phone_example(self, example: str) -> None:
        self.phone.setPlaceholderText(_("For example: {number}").format(number=isolate_ltr(example)))

    def _refused_as_too_long(self, field: str) -> None:
        # Said next to the field at once, even before the patient has left it: the key seemed to do nothing.
        label = self.error_labels[field]
        label.setText(_("This field holds at most {limit} characters.").format(
            limit=format_number(self._limits[field])))
        label.setVisible(True)
        self._describe_field(field, label.text())

    def _edited(self, field: str) -> None:
        self._touched.add(field)
        self._update_counter()
        self.changed.emit(self.values())

    def _send(self) -> None:
        self.submitRequested.emit(self.values())

    def _update_counter(self) -> None:
        used = len(self.description.toPlainText())
        self.counter.setText(_("{used} of {limit} characters").format(
            used=format_number(used), limit=format_number(self._description_max)))

    def show_unavailable(self) -> None:
        """The kiosk cannot take requests (no hospital key): say so before anyone starts typing, and offer
        only the way back."""
        self._unavailable = True
        body = self.scroll.widget()
        keep = (self.heading, self.unavailable_notice, self.cancel_button)
        for child in body.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child not in keep:
                child.hide()
        self.unavailable_notice.show()
        self.retranslate()

    @property
    def unavailable(self) -> bool:
        return self._unavailable

    # --- country ----------------------------------------------------------------------------------------
    def choose_country(self, code: str) -> None:
        """The patient tapped a suggestion (or a test chose ``code``): the field shows its name."""
        name = self._country_names.get(code)
        if name is None:
            return
        self._country_code = code
        self.country.setText(name)  # textChanged sees the chosen name and keeps the code
        self.country_suggestions.show_suggestions([])
        self._edited("country")

    def _country_typed(self, text: str) -> None:
        if self._country_code and text == self._country_names.get(self._country_code):
            return
        from kiosk.outbox.country_search import find_countries

        had_code = bool(self._country_code)
        self._country_code = ""  # typing again after a choice takes the choice back
        # As many suggestions as fit between the field and the keyboard (at least two: the list scrolls).
        spacing = self.scroll.widget().layout().spacing()
        room = self.scroll.viewport().height() - self.country.height() - 2 * SCROLL_MARGIN_PX - spacing
        limit = max(2, min(5, room // self.country_suggestions.row_height()))
        matches = find_countries(text, self._ui_language, self._usual_countries, limit=limit)
        exact = [match for match in matches if match.name.casefold() == text.strip().casefold()]
        if len(exact) == 1:
            self.choose_country(exact[0].code)
            return
        self.country_suggestions.show_suggestions([(match.code, match.name) for match in matches])
        if matches:
            self._keep_in_view(self.country, self.country_suggestions)
        if had_code or text:
            self._edited("country")

    # --- moving through the form ------------------------------------------------------------------------
    def _keep_in_view(self, field: QWidget, below: QWidget | None = None) -> None:
        """Scroll so the whole field (and what belongs under it, if there is room) shows; after the layout has
        settled. (``QScrollArea.ensureWidgetVisible`` shows only a text box's cursor, not the box.)"""
        def scroll() -> None:
            if self.scroll.widget().isAncestorOf(field):
                self._scroll_to_show(field, below if below is not None and below.isVisible() else None)

        QTimer.singleShot(0, self, scroll)

    def _scroll_to_show(self, field: QWidget, below: QWidget | None) -> None:
        margin = SCROLL_MARGIN_PX
        content = self.scroll.widget()
        top = field.mapTo(content, field.rect().topLeft()).y() - margin
        bottom = field.mapTo(content, field.rect().bottomLeft()).y() + margin
        if below is not None:
            bottom = max(bottom, below.mapTo(content, below.rect().bottomLeft()).y() + margin)
        bar = self.scroll.verticalScrollBar()
        height = self.scroll.viewport().height()
        value = bar.value()
        if bottom - value > height:
            value = bottom - height
        if top < value or bottom - top > height:  # the field's own top wins over what lies under it
            value = top
        bar.setValue(value)

    def _shown_with(self, field: QWidget) -> QWidget | None:
        """What belongs under a field and scrolls into view with it: the suggestions, the character count."""
        return {self.country: self.country_suggestions, self.description: self.counter}.get(field)

    def text_fields(self) -> list[QWidget]:
        """The fields Enter moves through, in order."""
        return [self.full_name, self.country, self.phone, self.email, self.age, self.description]

    def _advance(self, field: QWidget) -> None:
        """Enter: on to the next field; after the last one, to Send (the keyboard closes, Send shows)."""
        if field is self.country and not self._country_code and self.country_suggestions.rows:
            self.country_suggestions.rows[0].click()
        fields = self.text_fields()
        index = fields.index(field) if field in fields else len(fields) - 1
        following = next((candidate for candidate in fields[index + 1:] if candidate.isEnabled()), None)
        if following is None:
            # Past the last field the keyboard closes and what is left shows: the consent, then Send.
            following = self.send_button if self.consent.isChecked() and self.send_button.isEnabled() \
                else self.consent
        following.setFocus(Qt.FocusReason.TabFocusReason)
        self._keep_in_view(following, self.send_button if following is self.consent else None)

    def eventFilter(self, watched, event) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self._keep_in_view(watched, self._shown_with(watched))
        elif event.type() == QEvent.Type.Resize and watched is self.scroll.viewport():
            # The keyboard opened or closed: the form got shorter or taller around the focused field.
            focused = self.focusWidget()
            if focused is not None and self.isAncestorOf(focused):
                self._keep_in_view(focused, self._shown_with(focused))
        elif (event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
              and watched in self.text_fields()):
            self._advance(watched)
            return True
        return False

    # --- language -------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.heading.setText(_("Ask for a consultation"))
        self.intro.setText(_("Leave your details and our team will contact you. Fields marked * are needed."))
        texts = {
            "full_name": _("Full name") + " *",
            "country": _("Country where you live") + " *",
            "phone": _("Phone number") + " *",
            "email": _("Email (optional)"),
            "contact_language": _("Language for contacting you"),
            "channel": _("How should we contact you?") + " *",
            "relation": _("Who is the consultation for?") + " *",
            "age": _("Age of the patient") + " *",
            "description": _("Briefly describe the symptoms (optional)"),
        }
        for name, text in texts.items():
            self.labels[name].setText(text)
            widget = self.labels[name].buddy()
            if widget is not None:
                widget.setAccessibleName(text.rstrip(" *"))
        self.country.setPlaceholderText(_("Type to search"))
        self.channel.buttons["phone"].setText(_("Phone call"))
        self.channel.buttons["whatsapp"].setText(_("WhatsApp"))
        self.channel.buttons["email"].setText(_("Email"))
        self.relation.buttons["self"].setText(_("Me"))
        self.relation.buttons["family"].setText(_("A family member"))
        for row in (self.channel, self.relation):
            row.describe()
        for name in FIELDS_IN_ORDER:
            self._describe_field(name, "" if self.error_labels[name].isHidden() else self.error_labels[name].text())
        self.privacy_voice.retranslate()
        self.send_button.setAccessibleName(_("Send request"))
        self.send_button.setAccessibleDescription(_("Send your request to the hospital's team"))
        self.cancel_button.setAccessibleName(_("Cancel"))
        self.cancel_button.setAccessibleDescription(_("Leave the form without sending"))
        self.scroll.setAccessibleName(_("Ask for a consultation"))
        self.privacy.setText(_(
            "Privacy: your details are encrypted on this kiosk and can only be opened by the hospital's "
            "international patient team. They are used only to answer this request and are deleted from "
            "the kiosk once delivered."))
        self.consent_row.set_text(_("I agree that the hospital may contact me about this request."))
        self.send_button.setText(_("Send request"))
        self.cancel_button.setText(_("Back") if self._unavailable else _("Cancel"))
        self.unavailable_notice.setText(_(
            "This kiosk cannot take consultation requests at the moment. Please ask the staff at the "
            "reception desk: they will help you contact our doctors."))
        self._update_counter()
        if self._errors:
            # Messages were produced in the previous language; the app revalidates after a switch.
            self.changed.emit(self.values())
