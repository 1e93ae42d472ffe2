"""Composition root: builds the services and the screens and wires them together. Nothing else does."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from kiosk import paths
from kiosk.bundle.library import ContentLibrary
from kiosk.config import Config
from kiosk.i18n import _, catalogs
from kiosk.i18n.languages import PSEUDO_LANGUAGES, language_info
from kiosk.i18n.translator import Translator
from kiosk.session.idle import IdleWatcher
from kiosk.session.navigator import Navigator, Screen
from kiosk.session.visit import Visit
from kiosk.ui import theme
from kiosk.ui.attract import AttractScreen
from kiosk.ui.done import DoneScreen
from kiosk.ui.home import HomeScreen
from kiosk.ui.key_activation import KeyActivation
from kiosk.ui.keyboard import VirtualKeyboard, clear_selections
from kiosk.ui.languages import LanguageScreen
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.widgets.tinted_icon import retint_icons

if TYPE_CHECKING:
    from kiosk.bundle.store import BundleStore
    from kiosk.bundle.watch import BundleWatcher
    from kiosk.outbox.inspection import Inspection
    from kiosk.outbox.sender import Sender
    from kiosk.outbox.service import RequestService
    from kiosk.outbox.store import Outbox
    from kiosk.ui.form import ConsultationForm
    from kiosk.ui.reader import ReaderScreen
    from kiosk.ui.widgets.read_aloud import ReadAloudControls

log = logging.getLogger(__name__)

ATTRACT_CYCLE_MS = 3500
INVITATION = "Touch the screen to begin"


class _NoContextMenus(QObject):
    """Long presses and right clicks open nothing anywhere: a menu is a way out of the kiosk."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return event.type() == QEvent.Type.ContextMenu


def ensure_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName(paths.APP_NAME)
        app.setApplicationDisplayName(_("Dystonia information"))
    return app  # type: ignore[return-value]


def offered_languages(config: Config) -> list[str]:
    """The configured languages, plus the pseudo-languages when layouts are being checked."""
    languages = list(config["languages.enabled"])
    if config["languages.pseudo"]:
        languages += [code for code in PSEUDO_LANGUAGES if code not in languages]
    return languages


def content_is_pinned(config: Config, override: Path | None = None) -> bool:
    """A folder named on the command line or in the configuration is shown as it is: no bundle swaps."""
    return override is not None or bool(config["content.directory"])


def resolve_content_dir(config: Config, override: Path | None = None) -> Path:
    """The folder to show: a pinned one, else the active installed bundle, else the shipped content."""
    if override is not None:
        return override
    configured = config["content.directory"]
    if configured:
        return Path(configured)
    from kiosk.bundle import active

    shipped = paths.shipped_content_dir()
    try:
        name = active.active_name(paths.bundles_dir())
    except active.StateUnreadable:
        from kiosk.bundle.store import BundleStore  # rebuilds what it can from the installed folders

        return BundleStore.from_config(config).active_root() or shipped
    return active.content_for(paths.bundles_dir(), name, shipped) or shipped


@dataclass
class Kiosk:
    """The running kiosk: every service and screen, and the wiring between them."""

    config: Config
    library: ContentLibrary
    kiosk_mode: bool
    content_pinned: bool = False
    app: QApplication = field(init=False)
    translator: Translator = field(init=False)
    navigator: Navigator = field(init=False)
    visit: Visit = field(init=False)
    idle: IdleWatcher = field(init=False)
    window: KioskWindow = field(init=False)

    def __post_init__(self) -> None:
        self.app = ensure_application()
        theme.load_fonts()
        self._context_menu_blocker = _NoContextMenus(self.app)
        self.app.installEventFilter(self._context_menu_blocker)
        self._key_activation = KeyActivation(self.app)
        self.app.installEventFilter(self._key_activation)
        self._install_touch_filter()
        self.translator = Translator(offered_languages(self.config), self.config["languages.default"])
        self.navigator = Navigator(self.library.section_ids)
        self.visit = Visit()
        self.idle = IdleWatcher(self.config["session.idle_timeout_seconds"],
                                self.config["session.idle_countdown_seconds"])
        self._services: tuple[Outbox | None, Sender | None, RequestService] | None = None
        self.outbox_problem: Inspection | None = None  # why the outbox takes no requests, when it does not
        self.bundle_store: BundleStore | None = None  # started after the first frame unless content is pinned
        self.bundle_watcher: BundleWatcher | None = None
        self._content_waiting = False
        self._shut_down = False
        self._last_reference_id = ""
        self._build_window()
        # What the first frame does not need, in the order a patient may need it (taken by
        # _next_startup_step, or all at once by finish_startup).
        self._startup_pending: list[Callable[[], object]] = [
            self._warm_up_voice, self._ensure_reader, self._ensure_language_choices, self._ensure_services,
            self._ensure_admin, self._ensure_content_updates]
        # Each language's catalog, one per turn, so no patient's first switch to a language waits for it.
        self._startup_pending += [partial(self.translator.load_catalog, code) for code in self.translator.enabled]
        self.keyboard = VirtualKeyboard(self.window, enabled=self.config["keyboard.virtual"])
        self.window.set_keyboard(self.keyboard.panel)
        self._wire()
        self._wire_accessibility()
        self._apply_language()
        self._apply_text_scale()
        self._on_navigation(self.navigator.screen.value, self.navigator.section)
        # What the first frame does not show waits until it is painted: start-up time is what a patient
        # who walks up to a booting kiosk sees.
        self.window.firstFramePainted.connect(self._after_first_frame)

    def _after_first_frame(self) -> None:
        # Queued, so the frame being painted reaches the screen before this work starts.
        QTimer.singleShot(0, self.window, self._next_startup_step)

    def _next_startup_step(self) -> None:
        # One step per turn of the event loop: a tap that arrives meanwhile is answered between two steps
        # instead of after all of them.
        if self._startup_pending and not self._shut_down:
            self._startup_pending.pop(0)()
            QTimer.singleShot(0, self.window, self._next_startup_step)

    def finish_startup(self) -> None:
        """Build now whatever start-up has not built yet. Idempotent; also called on demand."""
        while self._startup_pending:
            self._startup_pending.pop(0)()

    def _warm_up_voice(self) -> None:
        self.voice.warm_up()  # the voice is built after this list (_wire_accessibility)

    def _ensure_admin(self) -> None:
        """The staff gesture and PIN screen, and the health file for monitoring (``kiosk.admin``)."""
        if getattr(self, "admin", None) is None:
            from kiosk.admin.controller import install_admin

            self.admin = install_admin(self)

    def screen_names(self) -> set[str]:
        """Every screen that can be shown, including those built on first use."""
        return set(self.window.screens) | {Screen.FORM.value, Screen.LANGUAGES.value, Screen.READER.value}

    @property
    def reader(self) -> ReaderScreen:
        return self._ensure_reader()

    def _ensure_reader(self) -> ReaderScreen:
        if self._reader is None:
            from kiosk.ui.reader import ReaderScreen

            reader = ReaderScreen(self.library.resolve_asset)
            self._reader = reader
            self.window.add_screen(Screen.READER.value, reader)
            reader.previousRequested.connect(lambda: self.navigator.step(-1))
            reader.nextRequested.connect(lambda: self.navigator.step(+1))
            reader.sectionRequested.connect(self._open_linked_section)
            reader.read_aloud.readRequested.connect(self._read_section)
            self._connect_voice_controls(reader.read_aloud)
            if self.config["display.reduce_motion"]:
                reader.set_reduce_motion(True)
            reader.set_text_scale(self.visit.text_scale)
            reader.set_palette(theme.palette_for(self.visit.high_contrast))
            if self._palette_shown != theme.DEFAULT_PALETTE:
                retint_icons(reader, self._palette_shown.text)
            reader.retranslate()
        return self._reader

    # --- services started after the first frame ----------------------------------------------------
    def _ensure_services(self) -> tuple[Outbox | None, Sender | None, RequestService]:
        if self._services is None:
            # Imported here: phone number, e-mail and crypto libraries are not needed for the first frame.
            from kiosk.outbox.delivery import DeliverySettings
            from kiosk.outbox.opening import OutboxUnavailable, open_outbox
            from kiosk.outbox.sender import Sender
            from kiosk.outbox.service import RequestService
            from kiosk.outbox.store import OutboxError

            try:
                outbox = open_outbox(paths.outbox_db_path(), self.config["delivery.hospital_public_key"] or None,
                                     reserve_bytes=int(self.config["delivery.disk_reserve_kb"]) * 1024,
                                     max_bytes=int(self.config["delivery.outbox_max_mb"]) * 1024 * 1024)
            except OutboxError as error:
                # Everything else still starts (the staff screen, health, content updates); the form says to
                # ask at the desk. A damaged file has been moved aside, never written to.
                log.error("the outbox takes no requests: %s", error)
                if isinstance(error, OutboxUnavailable):
                    self.outbox_problem = error.inspection
                self._services = (None, None, RequestService(None))
                self.window.top_bar.set_consultation_available(False)
                return self._services
            sender = Sender(outbox, DeliverySettings.from_config(self.config), watch_network=self.kiosk_mode)
            sender.delivered.connect(self._on_delivered)
            # Queued to the GUI thread by Qt: the worker reports from its own thread.
            sender.statusChanged.connect(self.window.status_strip.show_status)
            self._services = (outbox, sender, RequestService(outbox, wake_sender=sender.wake))
            self.window.top_bar.set_consultation_available(self._services[2].available)
            sender.start()  # requests queued before a restart go out without waiting for a new one
        return self._services

    @property
    def outbox(self) -> Outbox | None:
        """The outbox, or None when it cannot take requests (``outbox_problem`` says why)."""
        return self._ensure_services()[0]

    @property
    def sender(self) -> Sender | None:
        return self._ensure_services()[1]

    @property
    def requests(self) -> RequestService:
        return self._ensure_services()[2]

    # --- construction -------------------------------------------------------------------------------
    def _build_window(self) -> None:
        self.window = KioskWindow(self.kiosk_mode)
        self.attract = AttractScreen()
        self.languages: LanguageScreen | None = None
        self.home = HomeScreen()
        # The reader (its text browser costs a sixth of start-up) is built right after the first frame.
        self._reader: ReaderScreen | None = None
        self.window.add_screen(Screen.ATTRACT.value, self.attract)
        # In the first frame: a patient's first touch is often their language's name, and a tap on a screen
        # without it would open the default language instead.
        self.attract.set_languages(self.translator.languages())
        self.window.add_screen(Screen.HOME.value, self.home)
        self.done = DoneScreen()
        self.window.add_screen(Screen.DONE.value, self.done)
        self.form: ConsultationForm | None = None
        self._done_timer = QTimer(self.window)
        self._done_timer.setSingleShot(True)
        # The confirmation does not vanish unannounced: its time ends in the countdown, which can extend it.
        self._done_timer.timeout.connect(self.idle.warn_now)
        self._load_sections()
        self._attract_timer = QTimer(self.window)
        self._attract_timer.setInterval(ATTRACT_CYCLE_MS)
        self._attract_timer.timeout.connect(self._cycle_invitation)
        self._attract_index = 0

    def _wire(self) -> None:
        bar = self.window.top_bar
        bar.homeRequested.connect(self.navigator.home)
        bar.textSizeRequested.connect(self.visit.cycle_text_size)
        bar.consultationRequested.connect(self._on_consultation_requested)
        bar.languageRequested.connect(self._on_language_requested)
        self.attract.started.connect(self.navigator.home)
        self.attract.languageChosen.connect(self._start_in_language)
        self.home.sectionChosen.connect(self.navigator.open_section)
        self.navigator.changed.connect(self._on_navigation)
        self.done.finished.connect(self.reset_visit)
        self.translator.languageChanged.connect(self._apply_language)
        self.visit.textScaleChanged.connect(self._apply_text_scale)
        self.idle.warn.connect(self.window.idle_overlay.show_countdown)
        self.idle.tick.connect(self.window.idle_overlay.set_seconds)
        self.idle.activity.connect(self.window.idle_overlay.hide)
        self.idle.expired.connect(self.reset_visit)
        self.window.idle_overlay.stayRequested.connect(self.idle.poke)

    def _ensure_language_choices(self) -> LanguageScreen:
        """The language picker (the attract screen's row of languages is part of the first frame)."""
        if self.languages is None:
            self.languages = LanguageScreen(self.translator.languages())
            self.languages.languageChosen.connect(self._choose_language)
            self.languages.set_current(self.translator.language)
            self.window.add_screen(Screen.LANGUAGES.value, self.languages)
        return self.languages

    def _load_sections(self) -> None:
        language = self.translator.language
        self.home.set_sections([
            (sid, self.library.title(sid, language), self.library.icon_path(sid)) for sid in self.library.section_ids
        ])

    # --- behaviour ------------------------------------------------------------------------------------
    def show(self) -> None:
        if self.kiosk_mode:
            self.window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            if self.config["display.hide_cursor"]:
                self.app.setOverrideCursor(Qt.CursorShape.BlankCursor)
            # Full screen is a request to a window manager; on an X server without one the window would keep
            # its size hint (a small window in a corner), so it is also given the screen's geometry, and
            # follows the screen when that changes (a monitor rotated or swapped).
            screen = self.window.screen()
            self.window.setGeometry(screen.geometry())
            screen.geometryChanged.connect(self.window.setGeometry)
            self.window.showFullScreen()
        else:
            self.window.resize(1280, 800)
            self.window.show()

    def reset_visit(self) -> None:
        """End of a visit: everything the visitor chose or saw goes back to the start."""
        self.window.idle_overlay.hide()
        self._done_timer.stop()
        self._discard_form()
        self.visit.reset()
        self.translator.set_language(self.config["languages.default"])
        self.navigator.attract()

    def _on_navigation(self, screen: str, section: str) -> None:
        if screen != Screen.FORM.value:
            self.keyboard.hide()
        if screen in (Screen.HOME.value, Screen.ATTRACT.value):
            self._discard_form()  # leaving for Home forgets what was typed
        elif screen == Screen.READER.value:
            self._show_section(section)
        elif screen == Screen.FORM.value:
            self._ensure_form()
        elif screen == Screen.LANGUAGES.value:
            self._ensure_language_choices()
        self.window.show_screen(screen)
        on_attract = screen == Screen.ATTRACT.value
        self.window.top_bar.setVisible(not on_attract)
        self.idle.set_enabled(not on_attract)
        if on_attract:
            self._attract_index = 0
            self._attract_timer.start()
            self._swap_content_if_waiting()
        else:
            self._attract_timer.stop()
            self.window.idle_overlay.hide()

    def _show_section(self, section: str) -> None:
        language = self.translator.language
        page = self.library.page(section, language)
        index, count = self.navigator.position
        rtl = language_info(page.language).rtl
        notice = ""
        if page.fallback:
            notice = _("This topic is not yet available in your language. It is shown in {language}.").format(
                language=language_info(page.language).native_name)
        elif page.unreviewed:
            notice = _("This translation has not yet been checked by our medical team.")
        self.reader.show_page(page.title, page.html, index, count, rtl, notice, language=page.language)
        self.reader.set_related([(linked, self.library.title(linked, language)) for linked in page.links])

    def _apply_language(self, _code: str = "") -> None:
        info = self.translator.info
        direction = Qt.LayoutDirection.RightToLeft if info.rtl else Qt.LayoutDirection.LeftToRight
        self.app.setLayoutDirection(direction)
        self.window.top_bar.set_language_name(info.native_name)
        self.keyboard.set_language(info.code)
        if self.languages is not None:
            self.languages.set_current(info.code)
        if self.form is not None and not self.form.values_entered:
            # An untouched form is rebuilt so countries are named, and the contact language preset, in the
            # new language: now if the patient is looking at it, else when it is next opened.
            self._discard_form()
            if self.navigator.screen is Screen.FORM:
                self._ensure_form()
                self.window.show_screen(Screen.FORM.value)
        for screen in (self.window.top_bar, self.window.status_strip, self.attract, self.home, self._reader,
                       self.languages, self.window.idle_overlay, self.done, self.form):
            if screen is not None:
                screen.retranslate()
        self.home.set_titles({sid: self.library.title(sid, info.code) for sid in self.library.section_ids})
        if self.navigator.screen is Screen.READER:
            fraction = self.reader.scroll_fraction()
            self._show_section(self.navigator.section)
            self.reader.set_scroll_fraction(fraction)

    def _apply_text_scale(self, _changed: object = None) -> None:
        """Text size and contrast, the visitor's two choices about how things look."""
        scale = self.visit.text_scale
        palette = theme.palette_for(self.visit.high_contrast)
        self.app.setStyleSheet(theme.style_sheet(scale, palette))
        if self._reader is not None:
            self._reader.set_text_scale(scale)
            self._reader.set_palette(palette)
        self.window.top_bar.set_text_step(self.visit.text_step)
        self._apply_palette(palette)

    def _cycle_invitation(self) -> None:
        codes = self.translator.enabled
        self._attract_index = (self._attract_index + 1) % len(codes)
        code = codes[self._attract_index]
        text = catalogs.load_catalog(code).gettext(INVITATION)
        self.attract.set_invitation(text)
        self.attract.invite.setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if language_info(code).rtl else Qt.LayoutDirection.LeftToRight)

    def _open_linked_section(self, section_id: str) -> None:
        if section_id in self.navigator.section_ids:
            self.navigator.open_section(section_id)

    def _on_consultation_requested(self) -> None:
        self.navigator.go(Screen.FORM)

    # --- consultation requests -----------------------------------------------------------------------
    def _discard_form(self) -> None:
        """Forget the form and the clipboard: the next visitor gets a brand-new form with no text and no
        undo history (``QLineEdit.clear()`` would keep the previous visitor's name one undo away)."""
        if self.form is not None:
            self.keyboard.hide()
            self.window.remove_screen(Screen.FORM.value)
            self.form.blockSignals(True)
            self.form.wipe()
            self.form.deleteLater()
            self.form = None
        clear_selections()

    def _ensure_form(self) -> ConsultationForm:
        if self.form is None:
            from kiosk.outbox.request import DESCRIPTION_MAX, FIELD_LIMITS, country_choices
            from kiosk.ui.form import ConsultationForm

            language = self.translator.language
            usual = self.config["form.usual_countries"]
            countries = country_choices(language)
            names = dict(countries)
            ordered = [(code, names[code]) for code in usual if code in names]
            ordered += [pair for pair in countries if pair[0] not in usual]
            self.form = ConsultationForm(self.translator.languages(), ordered, language, DESCRIPTION_MAX,
                                         usual_count=sum(1 for code in usual if code in names), limits=FIELD_LIMITS)
            if not self.requests.available:
                self.form.show_unavailable()
            self.form.changed.connect(self._on_form_changed)
            self.form.submitRequested.connect(self._on_form_submitted)
            self.form.cancelRequested.connect(self.navigator.back)
            self._wire_privacy_voice(self.form)
            self.window.add_screen(Screen.FORM.value, self.form)
        return self.form

    def _on_form_changed(self, values: dict) -> None:
        from kiosk.outbox.request import phone_example, validate_form

        if self.form is None:
            return
        result = validate_form(values, ui_language=self.translator.language)
        self.form.show_validation(result.errors, result.ok)
        if values.get("country"):
            self.form.set_phone_example(phone_example(values["country"]))

    def _on_form_submitted(self, values: dict) -> None:
        if self.form is None:
            return
        result = self.requests.submit(values, ui_language=self.translator.language)
        if not result.ok:
            self.form.show_validation(result.errors, False, show_all=True)
            target = self.form.first_error_widget()
            if target is not None:
                self.form.scroll.ensureWidgetVisible(target)
            return
        assert result.queued is not None
        self._last_reference_id = result.queued.id
        self.done.show_result(result.queued.reference, already_sent=False)
        self._discard_form()
        self.navigator.go(Screen.DONE)
        self.done.take_focus()  # a screen reader announces the confirmation and the reference code
        self._done_timer.start(self.config["form.done_seconds"] * 1000)

    def _on_delivered(self, request_id: str) -> None:
        # The sender reports from its own thread: a report queued just before shutdown arrives after it.
        if not self._shut_down and request_id == self._last_reference_id:
            self.done.set_sent(True)

    def _on_language_requested(self) -> None:
        if self.navigator.screen is Screen.LANGUAGES:
            self.navigator.back()
        else:
            self.navigator.go(Screen.LANGUAGES)

    def _choose_language(self, code: str) -> None:
        self.translator.set_language(code)
        self.navigator.back()

    def _start_in_language(self, code: str) -> None:
        self.translator.set_language(code)
        self.navigator.home()

    # --- accessibility ----------------------------------------------------------------------------------
    def _install_touch_filter(self) -> None:
        """Before the other application-wide filters (the idle watcher, the admin gesture): Qt asks the filter
        installed last first, and this one takes the button presses it decides on, which they must see too."""
        from kiosk.session.touch_policy import TouchSettings
        from kiosk.ui.touch_filter import TouchFilter

        self.touch_filter = TouchFilter(TouchSettings(self.config["touch.slide_tolerance_px"],
                                                      self.config["touch.repeat_ignore_ms"],
                                                      self.config["touch.hold_ms"]))
        self.app.installEventFilter(self.touch_filter)

    def _wire_accessibility(self) -> None:
        from kiosk.speech.reader_voice import ReaderVoice

        self._palette_shown = theme.DEFAULT_PALETTE
        self.voice = ReaderVoice.from_config(self.config, self.window)
        self._reading_controls: ReadAloudControls | None = None
        self.window.top_bar.contrastRequested.connect(self.visit.toggle_high_contrast)
        self.visit.highContrastChanged.connect(self._apply_text_scale)
        self.voice.sentenceStarted.connect(self._on_sentence_read)
        self.voice.stateChanged.connect(self._on_voice_state)
        self.voice.availabilityChanged.connect(self._offer_reading)  # voices known, or the engine failed
        # Reading stops wherever the visitor goes, whatever language they pick, and when the visit ends.
        self.navigator.changed.connect(self._stop_reading)
        self.translator.languageChanged.connect(self._stop_reading)
        if self.config["display.reduce_motion"]:
            QApplication.setEffectEnabled(Qt.UIEffect.UI_General, False)

    def _wire_privacy_voice(self, form: ConsultationForm) -> None:
        form.privacy_voice.readRequested.connect(self._read_privacy)
        self._connect_voice_controls(form.privacy_voice)
        if self._palette_shown != theme.DEFAULT_PALETTE:
            retint_icons(form, self._palette_shown.text)

    def _connect_voice_controls(self, controls: ReadAloudControls) -> None:
        controls.pauseRequested.connect(self.voice.pause)
        controls.resumeRequested.connect(self.voice.resume)
        controls.stopRequested.connect(self.voice.stop)

    def _apply_palette(self, palette: theme.Palette) -> None:
        self.window.top_bar.set_high_contrast(self.visit.high_contrast)
        self.home.set_icon_tint(palette.accent if self.visit.high_contrast else None)
        self.touch_filter.set_fill_colour(palette.accent)
        self.keyboard.set_palette(palette)
        if palette != self._palette_shown:  # icons are drawn in the default colours to begin with
            self._palette_shown = palette
            retint_icons(self.window, palette.text)

    def _read_section(self) -> None:
        self._reading_controls = self.reader.read_aloud
        self.voice.speak(self.reader.plain_text(), self._page_language())

    def _read_privacy(self) -> None:
        if self.form is not None:
            self._reading_controls = self.form.privacy_voice
            self.voice.speak(self.form.privacy.text(), self.translator.language)

    def _page_language(self) -> str:
        """The language the page is shown in (another one when it is not yet translated)."""
        return self.library.page(self.navigator.section, self.translator.language).language

    def _on_sentence_read(self, start: int, end: int) -> None:
        self.idle.poke()  # listening is using the kiosk: the visit is not reset under the voice
        if self._reading_controls is self.reader.read_aloud:
            self.reader.highlight(start, end)

    def _on_voice_state(self, state: str) -> None:
        if self._reading_controls is not None:
            self._reading_controls.set_state(state)
        if state == "idle" and self._reader is not None:
            self._reader.clear_highlight()
            self._reading_controls = self._reader.read_aloud

    def _stop_reading(self, *_args: object) -> None:
        self.voice.stop()
        self._offer_reading()

    def _offer_reading(self) -> None:
        # Asking never waits: until the engine has listed its voices, Read aloud shows as not ready.
        screen = self.navigator.screen
        if screen is Screen.READER:
            self.reader.read_aloud.set_offer(self.voice.offer(self._page_language()))
        if screen is Screen.FORM and self.form is not None:
            self.form.privacy_voice.set_offer(self.voice.offer(self.translator.language))

    # --- content bundles -----------------------------------------------------------------------------------
    def _ensure_content_updates(self) -> None:
        """Watch for new bundles (a watched folder, an HTTPS address, ``kiosk bundle install``) unless the
        content folder is pinned."""
        if self.content_pinned or self.bundle_watcher is not None:
            return
        from kiosk.bundle.store import BundleStore
        from kiosk.bundle.watch import BundleWatcher

        self.bundle_store = BundleStore.from_config(self.config)
        self.bundle_watcher = BundleWatcher.from_config(self.config, self.bundle_store, parent=self.window)
        self.bundle_watcher.bundleStaged.connect(self._on_content_waiting)
        self.bundle_watcher.activeChanged.connect(self._on_content_waiting)
        self.bundle_watcher.bundleRefused.connect(self._on_bundle_refused)
        self.bundle_watcher.start()

    def _on_content_waiting(self, _source: str = "") -> None:
        self._content_waiting = True
        self._swap_content_if_waiting()

    def _on_bundle_refused(self, reason: str) -> None:
        log.warning("content bundle refused: %s", reason)

    def _swap_content_if_waiting(self) -> None:
        """Swap in new content only between visitors (the attract screen): never under a reader's finger or
        while a form is being filled."""
        if not self._content_waiting or self.bundle_watcher is None or self.navigator.screen is not Screen.ATTRACT:
            return
        self._content_waiting = False
        staged = self.bundle_watcher.activate_staged()
        self.reload_content(staged)

    def reload_content(self, content_dir: Path | None = None) -> bool:
        """Show another content folder without a restart (default: whatever is active now). A bundle that
        fails to load is marked bad and the previous one comes back. Returns whether ``content_dir`` (or
        the active bundle) is now shown."""
        wanted = content_dir or resolve_content_dir(self.config)
        try:
            library = load_and_smoke_check(wanted, self.translator.enabled)
        except Exception as error:  # whatever a broken bundle throws, the kiosk keeps running
            if self.content_pinned:  # a folder being edited: keep showing what loaded last
                log.error("content at %s failed to load (%s)", wanted, type(error).__name__)
                return False
            log.error("content at %s failed to load (%s); rolling back", wanted, type(error).__name__)
            store = self.bundle_store
            fallback = None
            if store is not None:
                from kiosk.bundle.store import StoreError

                try:
                    fallback = store.mark_bad_and_rollback()
                except StoreError:  # nothing installed to step back from: the shipped content follows
                    fallback = None
            library = ContentLibrary(fallback or resolve_content_dir(self.config))
            self._use_library(library)
            return False
        self._use_library(library)
        return True

    def _use_library(self, library: ContentLibrary) -> None:
        self.library = library
        if self._reader is not None:
            self._reader.browser.set_resolver(library.resolve_asset)
        self.navigator.set_sections(library.section_ids)
        self._load_sections()
        if self.navigator.screen is Screen.READER:
            if self.navigator.section in library.section_ids:
                self._show_section(self.navigator.section)
            else:
                self.navigator.home()
        log.info("showing content %s version %s", library.manifest.bundle_id, library.manifest.version)

    def shutdown(self) -> None:
        """Stop everything; safe to call twice (the admin screen's Exit, then the end of ``kiosk run``)."""
        if self._shut_down:
            return
        self._shut_down = True
        self.keyboard.close()
        if self.bundle_watcher is not None:
            self.bundle_watcher.stop()
        self.voice.shutdown()
        self.app.removeEventFilter(self.touch_filter)
        self._attract_timer.stop()
        self._done_timer.stop()
        if self._services is not None:
            outbox, sender, _requests = self._services
            if sender is not None:
                sender.stop()
            if outbox is not None:
                outbox.close()
        self.idle.shutdown()
        self.app.removeEventFilter(self._context_menu_blocker)
        self.app.removeEventFilter(self._key_activation)
        self.window.allow_close()
        self.window.close()
        self.window.deleteLater()
        log.info("kiosk shut down in order")


def build_kiosk(config: Config, content_dir: Path | None = None, kiosk_mode: bool = True) -> Kiosk:
    if content_is_pinned(config, content_dir):
        library = ContentLibrary(resolve_content_dir(config, content_dir))  # staff asked for it: errors show
    else:
        library = _load_installed_content(config)
    return Kiosk(config=config, library=library, kiosk_mode=kiosk_mode,
                 content_pinned=content_is_pinned(config, content_dir))


def _load_installed_content(config: Config) -> ContentLibrary:
    """The active bundle; one that cannot be loaded is marked bad and the one before it is tried, down to
    the shipped content, so a damaged bundle never stops a kiosk from starting."""
    for _attempt in range(int(config["bundles.keep"]) + 1):
        folder = resolve_content_dir(config)
        try:
            return ContentLibrary(folder)
        except Exception as error:  # damage on disk can raise anything; the shipped content is the floor
            if folder == paths.shipped_content_dir():
                raise
            log.error("installed content at %s cannot be loaded (%s); rolling back", folder, type(error).__name__)
            from kiosk.bundle.store import BundleStore

            BundleStore.from_config(config).mark_bad_and_rollback()
    return ContentLibrary(paths.shipped_content_dir())


def load_and_smoke_check(content_dir: Path, languages: list[str]) -> ContentLibrary:
    """Load a content folder and render every section in every language once, so a bundle that cannot
    be shown fails here, before a patient would see it fail."""
    library = ContentLibrary(content_dir)
    for section_id in library.section_ids:
        for language in languages:
            library.title(section_id, language)
            library.page(section_id, language)
    return library


def use_offscreen_platform() -> None:
    """Commands that render without a screen (check, screenshot) work on a headless machine."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
