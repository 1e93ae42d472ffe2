"""Return and Enter press the focused button, as Space does.

Qt's buttons answer Return only inside a dialog; a keyboard or switch user of the kiosk expects Enter to do
what a tap does on every screen. Installed on the application; the event is not consumed, so the idle watcher
and the other application-wide filters still see the key.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton

_ACTIVATING_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})


class KeyActivation(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in _ACTIVATING_KEYS or event.isAutoRepeat():
            return False
        # Keys go to the focused widget; an ignored one travels on to its parents, which may be buttons that
        # never take the focus themselves (the consent row around its check box): those are left alone.
        if (isinstance(watched, QAbstractButton) and watched.isEnabled()
                and watched.focusPolicy() & Qt.FocusPolicy.TabFocus):
            watched.click()
        return False
