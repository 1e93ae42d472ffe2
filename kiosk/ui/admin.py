"""The staff screen: a PIN pad, then the kiosk's health and the actions staff may take.

Only shows and asks: the PIN is checked, and every action performed, by ``kiosk.admin.controller``. The
PIN is never displayed (one dot per digit) and is forgotten as soon as OK is pressed.
"""

from __future__ import annotations

import math
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.health.report import HealthReport
from kiosk.i18n import _, ngettext
from kiosk.i18n.formatting import format_datetime, format_number
from kiosk.i18n.text import isolate_ltr
from kiosk.ui.widgets.flow_layout import FlowLayout
from kiosk.ui.widgets.scroll_page import ScrollPage, fit_to_screen

PIN_MAX_DIGITS = 12
DOT = "\u25cf"
DELETE = "delete"
OK = "ok"


class PinPad(QWidget):
    """Digits 0-9, delete and OK as large touch targets, and a row of dots for what was typed."""

    pinEntered = Signal(str)
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AdminPinPad")
        self._digits = ""
        self._locked_seconds = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.page = ScrollPage(self)  # four rows of keys do not fit a 720 px screen under the title
        outer.addWidget(self.page)
        layout = QVBoxLayout(self.page.body)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(20)
        self.title = QLabel(self)
        self.title.setObjectName("ScreenTitle")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.dots = QLabel(self)
        self.dots.setObjectName("PinDots")
        self.dots.setMinimumHeight(64)
        for label in (self.title, self.message, self.dots):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        grid = QGridLayout()
        grid.setSpacing(16)
        self.keys: dict[str, QPushButton] = {}
        # The telephone layout, the same in every language (digits are not mirrored in RTL either).
        order = ["1", "2", "3", "4", "5", "6", "7", "8", "9", DELETE, "0", OK]
        for index, key in enumerate(order):
            button = QPushButton(key if key.isdigit() else "", self)
            button.setObjectName(f"PinKey_{key}")
            button.setMinimumSize(140, 100)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _checked=False, k=key: self._press(k))
            grid.addWidget(button, index // 3, index % 3)
            self.keys[key] = button
        pad = QHBoxLayout()
        pad.addStretch(1)
        pad.addLayout(grid)
        pad.addStretch(1)
        layout.addLayout(pad)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("PinCancel")
        self.cancel_button.clicked.connect(self.cancelRequested)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._message = ""
        self.retranslate()

    @property
    def typed_length(self) -> int:
        return len(self._digits)

    def reset(self, message: str = "") -> None:
        """Empty the PIN; ``message`` (already translated) replaces the instruction."""
        self._digits = ""
        self._message = message
        self._render()

    def show_locked(self, seconds: float) -> None:
        self._digits = ""
        self._locked_seconds = math.ceil(seconds)
        self._countdown.start()
        self._render()

    def _tick(self) -> None:
        self._locked_seconds -= 1
        if self._locked_seconds <= 0:
            self._countdown.stop()
            self._locked_seconds = 0
            self._message = ""
        self._render()

    def _press(self, key: str) -> None:
        if self._locked_seconds > 0:
            return
        if key == DELETE:
            self._digits = self._digits[:-1]
        elif key == OK:
            if self._digits:
                pin, self._digits = self._digits, ""
                self._render()
                self.pinEntered.emit(pin)
                return
        elif len(self._digits) < PIN_MAX_DIGITS:
            self._digits += key
        self._render()

    def retranslate(self) -> None:
        self.title.setText(_("Staff only"))
        self.keys[DELETE].setText(_("Delete"))
        self.keys[DELETE].setAccessibleName(_("Delete the last digit"))
        self.keys[OK].setText(_("OK"))
        self.cancel_button.setText(_("Cancel"))
        self._render()

    def _render(self) -> None:
        locked = self._locked_seconds > 0
        if locked:
            self.message.setText(_("Too many wrong PINs. Try again in {time}.").format(
                time=format_duration(self._locked_seconds)))
        else:
            self.message.setText(self._message or _("Enter the staff PIN."))
        self.dots.setText(" ".join(DOT * len(self._digits)) or " ")
        self.dots.setAccessibleName(ngettext("{count} digit entered", "{count} digits entered",
                                             len(self._digits)).format(count=len(self._digits)))
        for key, button in self.keys.items():
            button.setEnabled(not locked and (key != OK or bool(self._digits)))


class HealthPanel(QWidget):
    """The health figures, one row each, and the action buttons."""

    sendNowRequested = Signal()
    exportRequested = Signal()
    installRequested = Signal()
    rollbackRequested = Signal()
    exitRequested = Signal()
    closeRequested = Signal()

    ROWS = ("status", "content", "languages", "queued", "sending", "needs_attention", "delivered", "oldest",
            "last_delivery", "last_error", "network", "disk", "bundle_event")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AdminPanel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 24, 48, 24)
        outer.setSpacing(16)
        self.title = QLabel(self)
        self.title.setObjectName("ScreenTitle")
        outer.addWidget(self.title)
        figures = QWidget(self)
        grid = QGridLayout(figures)
        grid.setHorizontalSpacing(24)
        self.names: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for row, key in enumerate(self.ROWS):
            name, value = QLabel(figures), QLabel(figures)
            name.setObjectName("FieldLabel")
            value.setObjectName(f"Health_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.names[key], self.values[key] = name, value
        grid.setColumnStretch(1, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        fit_to_screen(scroll)
        scroll.setWidget(figures)
        outer.addWidget(scroll, 1)
        self.result = QLabel(self)
        self.result.setObjectName("Notice")
        self.result.setWordWrap(True)
        self.result.hide()
        outer.addWidget(self.result)
        actions = FlowLayout(spacing=16, uniform=True, max_columns=3)
        self.send_button = self._action("AdminSendNow", self.sendNowRequested)
        self.export_button = self._action("AdminExport", self.exportRequested)
        self.install_button = self._action("AdminInstall", self.installRequested)
        self.rollback_button = self._action("AdminRollback", self.rollbackRequested)
        self.exit_button = self._action("AdminExit", self.exitRequested)
        self.close_button = self._action("AdminClose", self.closeRequested)
        buttons = (self.send_button, self.export_button, self.install_button, self.rollback_button,
                   self.exit_button, self.close_button)
        for button in buttons:
            actions.addWidget(button)
        outer.addLayout(actions)
        self._report: HealthReport | None = None
        self.retranslate()

    def _action(self, name: str, signal: Signal) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.clicked.connect(signal.emit)
        return button

    def set_report(self, report: HealthReport) -> None:
        self._report = report
        self._render()

    def clear(self) -> None:
        """Forget the figures and the last result (the panel is locked again)."""
        self._report = None
        for value in self.values.values():
            value.clear()
        self.show_result("")

    def show_result(self, text: str) -> None:
        self.result.setText(text)
        self.result.setVisible(bool(text))

    def retranslate(self) -> None:
        self.title.setText(_("Kiosk status"))
        labels = {
            "status": _("Health"), "content": _("Content"), "languages": _("Languages"),
            "queued": _("Requests waiting"), "sending": _("Requests being sent"),
            "needs_attention": _("Requests needing attention"), "delivered": _("Requests delivered"),
            "oldest": _("Oldest undelivered request"), "last_delivery": _("Last delivery"),
            "last_error": _("Last delivery error"), "network": _("Network"), "disk": _("Free disk space"),
            "bundle_event": _("Last content problem"),
        }
        for key, text in labels.items():
            self.names[key].setText(text)
        self.send_button.setText(_("Send now"))
        self.export_button.setText(_("Export requests to USB"))
        self.install_button.setText(_("Install content from USB"))
        self.rollback_button.setText(_("Roll back content"))
        self.exit_button.setText(_("Exit kiosk"))
        self.close_button.setText(_("Close"))
        self._render()

    def _render(self) -> None:
        report = self._report
        if report is None:
            return
        values = self.values
        if report.healthy:
            values["status"].setText(_("Healthy"))
        else:
            values["status"].setText("\n".join(reason.message for reason in report.reasons))
        content = report.content
        if content.version is None:
            values["content"].setText(_("Cannot be loaded: {error}").format(error=content.error))
        else:
            sources = {"installed": _("installed bundle"), "shipped": _("shipped with the kiosk"),
                       "configured": _("configured folder")}
            values["content"].setText(_("{bundle} version {version} ({source})").format(
                bundle=isolate_ltr(content.bundle_id), version=format_number(content.version),
                source=sources.get(content.source, content.source)))
        values["languages"].setText(", ".join(report.languages))
        status = report.outbox
        if status is None:
            unreadable = _("Cannot be read: {error}").format(error=report.outbox_error)
            for key in ("queued", "sending", "needs_attention", "delivered", "oldest", "last_delivery",
                        "last_error"):
                values[key].setText(unreadable)
        else:
            for key in ("queued", "sending", "needs_attention", "delivered"):
                values[key].setText(format_number(getattr(status, key)))
            age = status.oldest_undelivered_age_seconds
            values["oldest"].setText(_("none") if age is None else _("{age} ago").format(age=format_duration(age)))
            values["last_delivery"].setText(_("never") if status.last_delivery_at is None
                                            else format_moment(status.last_delivery_at))
            if status.last_error:
                values["last_error"].setText(f"{isolate_ltr(status.last_error)} ({format_moment(status.last_error_at)})"
                                             if status.last_error_at else isolate_ltr(status.last_error))
            else:
                values["last_error"].setText(_("none"))
        networks = {"online": _("online"), "site": _("hospital network only"), "local": _("local network only"),
                    "disconnected": _("disconnected"), "unknown": _("unknown")}
        values["network"].setText(networks.get(report.reachability, report.reachability))
        free = report.free_disk_bytes
        values["disk"].setText(_("unknown") if free is None else _("{size} GB").format(
            size=format_number(round(free / 1024 ** 3, 1))))
        values["bundle_event"].setText(isolate_ltr(report.last_bundle_error) if report.last_bundle_error
                                       else _("none"))


class AdminScreen(QWidget):
    """The PIN pad until the controller unlocks it, then the health panel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AdminScreen")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget(self)
        self.pin_pad = PinPad(self.pages)
        self.panel = HealthPanel(self.pages)
        self.pages.addWidget(self.pin_pad)
        self.pages.addWidget(self.panel)
        layout.addWidget(self.pages)

    @property
    def unlocked(self) -> bool:
        return self.pages.currentWidget() is self.panel

    def show_pin_pad(self, message: str = "") -> None:
        self.panel.clear()
        self.pin_pad.reset(message)
        self.pages.setCurrentWidget(self.pin_pad)

    def show_locked(self, seconds: float) -> None:
        self.pin_pad.show_locked(seconds)
        self.pages.setCurrentWidget(self.pin_pad)

    def show_panel(self, report: HealthReport) -> None:
        self.panel.show_result("")
        self.panel.set_report(report)
        self.pages.setCurrentWidget(self.panel)

    def retranslate(self) -> None:
        self.pin_pad.retranslate()
        self.panel.retranslate()


def format_duration(seconds: float) -> str:
    """"45 s", "12 min", "3.5 h", "2.0 days" in the current language."""
    if seconds < 120:
        value = max(0, math.ceil(seconds))
        return ngettext("{count} second", "{count} seconds", value).format(count=format_number(value))
    if seconds < 7200:
        value = round(seconds / 60)
        return ngettext("{count} minute", "{count} minutes", value).format(count=format_number(value))
    if seconds < 172800:
        value = round(seconds / 3600)
        return ngettext("{count} hour", "{count} hours", value).format(count=format_number(value))
    value = round(seconds / 86400)
    return ngettext("{count} day", "{count} days", value).format(count=format_number(value))


def format_moment(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return format_datetime(datetime.fromtimestamp(timestamp).astimezone())
