"""Tell a screen reader about something that appeared without the visitor moving there."""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent
from PySide6.QtWidgets import QWidget


def announce(widget: QWidget, message: str, *, alert: bool = False) -> None:
    """An assertive announcement of ``message`` from ``widget``; ``alert`` also raises Qt's alert event (a
    time limit running out)."""
    if not message or not QAccessible.isActive():
        return
    if alert:
        QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.Alert))
    event = QAccessibleAnnouncementEvent(widget, message)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    QAccessible.updateAccessibility(event)
