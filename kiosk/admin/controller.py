"""The admin screen's behaviour: the gesture opens the PIN pad, the PIN unlocks the panel, and the
panel's buttons act through the kiosk's services.

Nothing here is reachable from the patient's UI: the screen is built on first use of the gesture, its
actions are refused unless the PIN was accepted in this opening, and leaving the screen for any reason
(Close, Cancel, the idle reset, the top bar) locks it again.

``install_admin`` is also where the running kiosk starts writing its Prometheus health file, the other
staff-and-IT tool that is started after the first frame.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from kiosk import paths
from kiosk.admin.gesture import CornerHold
from kiosk.admin.pin import STATE_FILE, PinError, PinGate
from kiosk.admin.usb import bundle_files, find_usb_folder
from kiosk.health.reachability import current_reachability
from kiosk.health.report import HealthReport, build_report
from kiosk.i18n import _, ngettext
from kiosk.session.navigator import Screen

if TYPE_CHECKING:
    from kiosk.app import Kiosk
    from kiosk.bundle.store import BundleStore
    from kiosk.health.prometheus import PrometheusWriter
    from kiosk.ui.admin import AdminScreen

log = logging.getLogger(__name__)


class AdminController(QObject):
    def __init__(self, kiosk: Kiosk, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(kiosk.window)
        self._kiosk = kiosk
        self._config = kiosk.config
        self._clock = clock
        # The exit action's last step; a test replaces it to stay in its own event loop.
        self.quit_application: Callable[[], None] = QApplication.quit
        self.screen: AdminScreen | None = None
        self.prometheus: PrometheusWriter | None = None
        self._unlocked = False
        self._store: BundleStore | None = None
        self.gate = self._make_gate()
        self.gesture = CornerHold(kiosk.window, float(self._config["admin.hold_seconds"]), parent=self)
        self.gesture.triggered.connect(self.open)
        kiosk.navigator.changed.connect(self._on_navigation)
        kiosk.translator.languageChanged.connect(self._retranslate)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def _make_gate(self) -> PinGate | None:
        stored = str(self._config["admin.pin_hash"]).strip()
        if not stored:
            return None
        try:
            return PinGate(stored, paths.home_dir() / STATE_FILE, clock=self._clock)
        except PinError as error:
            log.error("admin screen disabled: %s", error)
            return None

    @property
    def enabled(self) -> bool:
        return self.gate is not None

    @property
    def unlocked(self) -> bool:
        return self._unlocked

    def start(self) -> None:
        if self.enabled:
            self.gesture.install()
        self._start_prometheus()

    def stop(self) -> None:
        self.gesture.uninstall()
        if self.prometheus is not None:
            self.prometheus.stop()

    def _start_prometheus(self) -> None:
        target = str(self._config["health.prometheus_textfile"]).strip()
        if not target or self.prometheus is not None:
            return
        from kiosk.health.prometheus import PrometheusWriter

        self.prometheus = PrometheusWriter(Path(target), int(self._config["health.prometheus_interval_seconds"]),
                                           self.health_report, parent=self)
        self.prometheus.start()

    # --- opening and the PIN ----------------------------------------------------------------------------
    def open(self) -> None:
        """The gesture was made: show the PIN pad (or how long the lock-out lasts)."""
        if self.gate is None:
            return
        screen = self._ensure_screen()
        self._unlocked = False
        screen.retranslate()
        screen.show_pin_pad()
        remaining = self.gate.remaining_lockout()
        if remaining > 0:
            screen.show_locked(remaining)
        log.info("admin PIN pad opened")
        self._kiosk.navigator.go(Screen.ADMIN)

    def _ensure_screen(self) -> AdminScreen:
        if self.screen is None:
            from kiosk.ui.admin import AdminScreen

            screen = AdminScreen()
            screen.pin_pad.pinEntered.connect(self._on_pin)
            screen.pin_pad.cancelRequested.connect(self.close)
            panel = screen.panel
            panel.sendNowRequested.connect(self.send_now)
            panel.exportRequested.connect(self.export_to_usb)
            panel.installRequested.connect(self.install_from_usb)
            panel.rollbackRequested.connect(self.roll_back)
            panel.exitRequested.connect(self.exit_kiosk)
            panel.closeRequested.connect(self.close)
            self._kiosk.window.add_screen(Screen.ADMIN.value, screen)
            self.screen = screen
        return self.screen

    def _on_pin(self, pin: str) -> None:
        if self.gate is None or self.screen is None:
            return
        attempt = self.gate.attempt(pin)
        if attempt.accepted:
            log.info("admin screen unlocked")
            self._unlocked = True
            self.screen.show_panel(self.health_report())
        elif attempt.locked_seconds > 0:
            log.warning("wrong admin PIN (%d in a row); locked for %.0f s", attempt.failures, attempt.locked_seconds)
            self.screen.show_locked(attempt.locked_seconds)
        else:
            log.warning("wrong admin PIN (%d in a row)", attempt.failures)
            self.screen.show_pin_pad(_("Wrong PIN. Try again."))

    def _on_navigation(self, screen: str, _section: str) -> None:
        if screen != Screen.ADMIN.value and (self._unlocked or self.screen is not None):
            self._lock()

    def _lock(self) -> None:
        self._unlocked = False
        if self.screen is not None:
            self.screen.show_pin_pad()

    def close(self) -> None:
        """Close or Cancel: back to the attract screen, as after any visit."""
        self._lock()
        self._kiosk.reset_visit()

    def _retranslate(self, _code: str = "") -> None:
        if self.screen is not None:
            self.screen.retranslate()

    # --- health -----------------------------------------------------------------------------------------
    def health_report(self) -> HealthReport:
        return build_report(self._config, outbox=self._kiosk.outbox, store=self._bundle_store_or_none(),
                            reachability=current_reachability())

    def _outbox_problem(self) -> str:
        problem = self._kiosk.outbox_problem
        return problem.reason if problem is not None else _("no hospital key is configured")

    def _bundle_store_or_none(self) -> BundleStore | None:
        from kiosk.bundle.signing import KeyFileError
        from kiosk.bundle.store import StoreError

        try:
            return self._bundle_store()
        except (KeyFileError, StoreError, OSError):
            return None

    def _bundle_store(self) -> BundleStore:
        if self._store is None:
            from kiosk.bundle.store import BundleStore

            self._store = BundleStore.from_config(self._config)
        return self._store

    # --- actions (each refused unless the PIN was accepted) ---------------------------------------------
    def _report(self, text: str) -> None:
        if self.screen is not None:
            self.screen.panel.set_report(self.health_report())
            self.screen.panel.show_result(text)

    def send_now(self) -> None:
        if not self._unlocked:
            return
        outbox, sender = self._kiosk.outbox, self._kiosk.sender
        if outbox is None or sender is None:
            self._report(_("The outbox takes no requests and sends none: {problem}").format(
                problem=self._outbox_problem()))
            return
        outbox.hurry_queued()
        sender.wake()
        waiting = outbox.status().queued
        log.info("admin: send now (%d queued)", waiting)
        if not str(self._config["delivery.endpoint"]).strip():
            self._report(_("No delivery address is configured: requests stay on this kiosk. "
                           "Export them to USB instead."))
            return
        self._report(ngettext("Sending now: {count} request waiting.", "Sending now: {count} requests waiting.",
                              waiting).format(count=waiting))

    def export_to_usb(self) -> None:
        from kiosk.outbox.store import OutboxError

        if not self._unlocked:
            return
        folder = self._usb_folder()
        if folder is None:
            return
        kiosk_id = str(self._config["delivery.kiosk_id"]).strip() or socket.gethostname()
        target = folder / f"kiosk-export-{_safe_name(kiosk_id)}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
        try:
            outbox = self._kiosk.outbox
            if outbox is not None:
                count = outbox.export(target, kiosk_id=kiosk_id).count
            else:
                # A damaged or read-only outbox: every envelope that can still be read, from copies.
                from kiosk.outbox.commands import export_everything

                count, notes = export_everything(paths.outbox_db_path(), target, kiosk_id)
                log.info("admin: salvage export: %s", "; ".join(notes))
        except OutboxError as error:
            log.error("admin: export failed: %s", error)
            self._report(_("The export failed: {error}").format(error=error))
            return
        log.info("admin: %d requests exported to %s", count, target)
        self._report(ngettext("{count} request exported to {folder}", "{count} requests exported to {folder}",
                              count).format(count=count, folder=target))

    def install_from_usb(self) -> None:
        from kiosk.bundle.errors import BundleRefused
        from kiosk.bundle.signing import KeyFileError
        from kiosk.bundle.store import StoreError

        if not self._unlocked:
            return
        folder = self._usb_folder()
        if folder is None:
            return
        candidates = [path for path in bundle_files(folder) if not path.name.startswith(".")]
        if not candidates:
            self._report(_("No content bundle (.kbundle file) in {folder}.").format(folder=folder))
            return
        chosen = candidates[0]
        try:
            store = self._bundle_store()
            store.install(chosen)
        except BundleRefused as refusal:
            self._report(_("{file} was not installed: {reason}").format(file=chosen.name, reason=refusal.message))
            return
        except (StoreError, KeyFileError, OSError) as error:
            log.error("admin: bundle install failed: %s", error)
            self._report(_("{file} was not installed: {reason}").format(file=chosen.name, reason=error))
            return
        log.info("admin: bundle %s installed", chosen.name)
        self._reload_content()
        content = self.health_report().content
        self._report(_("Installed {bundle} version {version} from {file}.").format(
            bundle=content.bundle_id, version=content.version, file=chosen.name))

    def roll_back(self) -> None:
        from kiosk.bundle.signing import KeyFileError
        from kiosk.bundle.store import StoreError

        if not self._unlocked:
            return
        try:
            self._bundle_store().rollback()
        except (StoreError, KeyFileError, OSError) as error:
            self._report(_("Nothing was rolled back: {reason}").format(reason=error))
            return
        log.info("admin: content rolled back")
        self._reload_content()
        content = self.health_report().content
        self._report(_("Rolled back: now showing {bundle} version {version}.").format(
            bundle=content.bundle_id, version=content.version))

    def _reload_content(self) -> None:
        reload = getattr(self._kiosk, "reload_content", None)
        if callable(reload):
            reload()

    def exit_kiosk(self) -> None:
        if not self._unlocked:
            return
        log.info("admin: exit requested")
        focused = QApplication.focusWidget()
        if focused is not None:
            focused.clearFocus()
        self.stop()
        self._kiosk.shutdown()
        self.quit_application()

    def _usb_folder(self) -> Path | None:
        folder = find_usb_folder(str(self._config["admin.usb_folder"]))
        if folder is None:
            self._report(_("No USB stick found. Insert one and try again."))
        elif not folder.is_dir():
            self._report(_("The USB folder {folder} does not exist.").format(folder=folder))
            return None
        return folder


def _safe_name(text: str) -> str:
    return "".join(character if character.isalnum() or character in "-_" else "-" for character in text)[:64]


def install_admin(kiosk: Kiosk) -> AdminController:
    """Install the gesture on the kiosk's window (when a PIN is configured) and start the health file."""
    controller = AdminController(kiosk)
    controller.start()
    return controller
