"""The kiosk offers no way out: no context menus, no closing, no cursor."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu


def test_context_menu_events_are_swallowed_everywhere(qtbot, make_kiosk):
    kiosk = make_kiosk()
    kiosk.navigator.open_section("causes")
    opened = []

    def on_menu(_point) -> None:  # would open a menu if the event got through
        opened.append(QMenu(kiosk.reader.title))

    kiosk.reader.title.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    kiosk.reader.title.customContextMenuRequested.connect(on_menu)
    for widget in (kiosk.reader.title, kiosk.reader.browser.viewport(), kiosk.window.top_bar.home_button):
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(5, 5), widget.mapToGlobal(QPoint(5, 5)))
        QApplication.sendEvent(widget, event)
    assert opened == []
    assert QApplication.activePopupWidget() is None


def test_close_is_ignored_in_kiosk_mode(qtbot, config):
    from kiosk.app import build_kiosk

    kiosk = build_kiosk(config, kiosk_mode=True)
    try:
        kiosk.show()
        qtbot.waitExposed(kiosk.window)
        assert QGuiApplication.overrideCursor() is not None
        assert QGuiApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
        assert kiosk.window.windowFlags() & Qt.WindowType.FramelessWindowHint
        assert not kiosk.window.close()
        assert kiosk.window.isVisible()
        qtbot.keyClick(kiosk.window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
        assert kiosk.window.isVisible()
    finally:
        QGuiApplication.restoreOverrideCursor()
        kiosk.shutdown()


def test_windowed_mode_can_be_closed(make_kiosk):
    kiosk = make_kiosk()
    assert kiosk.window.close()
