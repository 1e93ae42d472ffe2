"""The kiosk window: the bar on top, one screen at a time below, the idle countdown over everything."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui.idle_overlay import IdleOverlay
from kiosk.ui.status_strip import StatusStrip
from kiosk.ui.topbar import TopBar


class KioskWindow(QWidget):
    firstFramePainted = Signal()

    def __init__(self, kiosk_mode: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("KioskWindow")
        self.kiosk_mode = kiosk_mode
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.top_bar = TopBar(self)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("ScreenStack")
        # The screens share what the bar, the status strip and the keyboard leave: a screen that needs more
        # scrolls inside itself, it never makes the window taller than the display.
        self.stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.top_bar)
        layout.addWidget(self.stack, 1)
        self.status_strip = StatusStrip(self)
        layout.addWidget(self.status_strip)
        self.screens: dict[str, QWidget] = {}
        self.idle_overlay = IdleOverlay(self)
        self._painted = False
        self.installEventFilter(self)

    def set_keyboard(self, panel: QWidget) -> None:
        """The on-screen keyboard, at the bottom: when it shows, the screen above it gets shorter, so the field
        being typed into can always scroll into sight above the keys."""
        self.layout().addWidget(panel)

    def add_screen(self, name: str, screen: QWidget) -> None:
        self.screens[name] = screen
        self.stack.addWidget(screen)

    def remove_screen(self, name: str) -> None:
        screen = self.screens.pop(name)
        self.stack.removeWidget(screen)
        screen.hide()

    def show_screen(self, name: str) -> None:
        self.stack.setCurrentWidget(self.screens[name])

    def current_screen(self) -> str:
        current = self.stack.currentWidget()
        return next((name for name, widget in self.screens.items() if widget is current), "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.idle_overlay.isVisible():
            self.idle_overlay.setGeometry(self.rect())

    def closeEvent(self, event: QCloseEvent) -> None:
        # Alt+F4 and the window manager's close button must not leave a patient at the desktop.
        if self.kiosk_mode and not getattr(self, "_allow_close", False):
            event.ignore()
            return
        super().closeEvent(event)

    def allow_close(self) -> None:
        self._allow_close = True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.kiosk_mode and event.key() == Qt.Key.Key_F4 and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            event.ignore()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            self.firstFramePainted.emit()
        return False
