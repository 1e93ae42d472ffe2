"""A quiet line at the bottom of the window saying that requests are saved and waiting to be sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from kiosk import paths
from kiosk.i18n import ngettext
from kiosk.i18n.formatting import format_number

if TYPE_CHECKING:
    from kiosk.outbox.store import OutboxStatus


class StatusStrip(QFrame):
    """Shown only while requests wait in the outbox; hidden when everything has been delivered.

    The wording reassures rather than warns: a patient who sees it should understand that their request is
    safe, not that something is broken. Requests that need staff attention are for the admin screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StatusStrip")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 6, 20, 6)
        layout.setSpacing(12)
        self.icon = QLabel(self)
        self.icon.setPixmap(QIcon(str(paths.icons_dir() / "saved.svg")).pixmap(QSize(28, 28)))
        self.label = QLabel(self)
        self.label.setObjectName("StatusText")
        self.label.setWordWrap(True)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        self._waiting = 0
        self.setVisible(False)

    @property
    def waiting(self) -> int:
        return self._waiting

    def set_waiting(self, count: int) -> None:
        self._waiting = max(0, count)
        self.retranslate()

    def show_status(self, status: OutboxStatus) -> None:
        """Slot for ``Sender.statusChanged``: counts what will still be sent automatically."""
        self.set_waiting(status.queued + status.sending)

    def retranslate(self) -> None:
        count = self._waiting
        self.label.setText(ngettext(
            "{count} request is saved on this kiosk and will be sent automatically.",
            "{count} requests are saved on this kiosk and will be sent automatically.",
            count).format(count=format_number(count)))
        self.setAccessibleName(self.label.text())
        self.setVisible(count > 0)
