"""The bar on every screen: Home, Language, text size, and the consultation request."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QResizeEvent
from PySide6.QtWidgets import QFrame, QPushButton, QSizePolicy, QWidget

from kiosk import paths
from kiosk.i18n import _
from kiosk.i18n.text import isolate_ltr
from kiosk.ui.widgets.flow_layout import FlowLayout
from kiosk.ui.widgets.tinted_icon import ICON_PROPERTY


class TopBar(QFrame):
    homeRequested = Signal()
    languageRequested = Signal()
    textSizeRequested = Signal()
    contrastRequested = Signal()
    consultationRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TopBar")
        # One row when the buttons fit, the consultation button on a second row when they do not (a narrow
        # portrait screen in a long language): never a cut label, never a bar wider than the screen.
        layout = FlowLayout(self, spacing=12, trailing_last=True, height_for_width=False)
        layout.setContentsMargins(16, 12, 16, 12)
        self._flow = layout
        self.home_button = self._button("HomeButton", self.homeRequested, "home.svg")
        self.language_button = self._button("LanguageButton", self.languageRequested, "language.svg")
        self.text_size_button = self._button("TextSizeButton", self.textSizeRequested, "text-size.svg")
        # Icon only: at 1080 px portrait the bar has no room for one more word in Ukrainian or the
        # pseudo-languages; the accessible name says what it is and the thick border shows when it is on.
        self.contrast_button = self._button("ContrastButton", self.contrastRequested, "contrast.svg")
        # Not checkable: a screen reader's default action on a checkable button flips its state without
        # running it. The state is a style property (the thick border) and part of the name.
        self.contrast_button.setProperty("on", False)
        self.contrast_button.setIconSize(QSize(44, 44))
        self.consult_button = self._button("ConsultButton", self.consultationRequested)
        layout.addWidget(self.home_button)
        layout.addWidget(self.language_button)
        layout.addWidget(self.text_size_button)
        layout.addWidget(self.contrast_button)
        layout.addWidget(self.consult_button)
        for button in (self.home_button, self.language_button, self.text_size_button, self.contrast_button,
                       self.consult_button):
            # Never narrower than the label: a clipped "Ask for a consultation" is worse than less space.
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self._text_step = 0
        self._consultation_available = True
        if parent is not None:
            parent.installEventFilter(self)
        self.retranslate()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._fit_height()  # a longer label or a larger font may need the second row, or free it
        return handled

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Hidden on the attract screen, the bar is not resized with the window: it follows the window's width
        # anyway, or the window's layout would take a stale height as the bar's minimum when it is shown
        # again, and grow past the screen.
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isHidden():
            self._fit_height()
        return False

    def _fit_height(self, width: int | None = None) -> None:
        if width is None:
            parent = self.parentWidget()
            width = parent.width() if self.isHidden() and parent is not None else self.width()
        height = self._flow.heightForWidth(width)
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def _button(self, name: str, signal: Signal, icon: str = "") -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        if icon:
            button.setIcon(QIcon(str(paths.icons_dir() / icon)))
            button.setIconSize(QSize(36, 36))
            button.setProperty(ICON_PROPERTY, icon)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.clicked.connect(signal.emit)
        return button

    def set_high_contrast(self, on: bool) -> None:
        if self.contrast_button.property("on") != on:
            self.contrast_button.setProperty("on", on)
            self.contrast_button.style().unpolish(self.contrast_button)
            self.contrast_button.style().polish(self.contrast_button)
        self.retranslate()

    @property
    def high_contrast_shown(self) -> bool:
        return bool(self.contrast_button.property("on"))

    def set_text_step(self, step: int) -> None:
        self._text_step = step
        self.retranslate()

    def set_language_name(self, native_name: str) -> None:
        self._language_name = native_name
        self.retranslate()

    def set_consultation_available(self, available: bool) -> None:
        """When the kiosk cannot take requests the button says so instead of promising a form."""
        self._consultation_available = available
        self.retranslate()

    def retranslate(self) -> None:
        self.home_button.setText(_("Home"))
        self.home_button.setAccessibleName(_("Home"))
        self.home_button.setAccessibleDescription(_("Back to the list of topics"))
        # The language button names the current language in that language, beside a globe, so a visitor
        # who cannot read the current language still recognises what it does.
        name = getattr(self, "_language_name", "")
        self.language_button.setText(name or _("Language"))
        # The name contains what the button shows (WCAG 2.5.3): "Language: English".
        self.language_button.setAccessibleName(
            _("Language: {language}").format(language=name) if name else _("Language"))
        self.language_button.setAccessibleDescription(_("Choose another language"))
        sizes = ["A", "A+", "A++"]
        # The "AA" icon names the button; the label only shows the step, so the bar fits a portrait screen
        # in every language (the accessible name still says what it is).
        # Isolated: in a right-to-left interface "A++" would otherwise read "++A".
        self.text_size_button.setText(isolate_ltr(sizes[self._text_step]))
        self.text_size_button.setAccessibleDescription(_("Make the text larger; tap again to cycle"))
        if self._consultation_available:
            self.consult_button.setText(_("Ask for a consultation"))
            self.consult_button.setAccessibleName(_("Ask for a consultation"))
            self.consult_button.setAccessibleDescription(_("Leave your details so that our team can contact you"))
        else:
            self.consult_button.setText(_("Consultation: ask at the desk"))
            self.consult_button.setAccessibleName(_("Consultation: ask at the desk"))
            self.consult_button.setAccessibleDescription(_(
                "This kiosk cannot take requests at the moment; the reception desk can help"))
        # The name starts with what the button shows ("A+"), so a voice-control user can say it.
        self.text_size_button.setAccessibleName(_("{shown} text size: {step} of {steps}").format(
            shown=sizes[self._text_step], step=self._text_step + 1, steps=len(sizes)))
        on = self.high_contrast_shown
        self.contrast_button.setAccessibleName(_("High contrast: on") if on else _("High contrast: off"))
        self.contrast_button.setAccessibleDescription(_("White and yellow on black; tap again to switch back"))
