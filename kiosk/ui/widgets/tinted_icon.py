"""Icons drawn in the theme's text colour, so a dark outline does not vanish on a black background."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractButton, QWidget

from kiosk import paths

ICON_PROPERTY = "iconFile"  # set on a button whose icon is one of ours, to redraw it in another colour


def tinted_icon(path: Path, colour: str, size: int = 96) -> QIcon:
    """The icon's shape filled with ``colour``; drawn large, Qt scales it down sharply. Only for the kiosk's
    own icons (``resources/``): a bundle's pictures are decoded from their bytes (``safe_picture``)."""
    return QIcon(tinted_pixmap(QIcon(str(path)).pixmap(QSize(size, size)), colour))


def tinted_pixmap(source: QPixmap, colour: str) -> QPixmap:
    """``source``'s shape filled with ``colour``."""
    tinted = QPixmap(source.size())
    tinted.fill(Qt.GlobalColor.transparent)
    painter = QPainter(tinted)
    painter.drawPixmap(0, 0, source)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(tinted.rect(), QColor(colour))
    painter.end()
    return tinted


def retint_icons(root: QWidget, colour: str) -> None:
    """Redraw every icon of ours under ``root`` in ``colour``."""
    cache: dict[str, QIcon] = {}
    for button in root.findChildren(QAbstractButton):
        name = button.property(ICON_PROPERTY)
        if name:
            if name not in cache:
                cache[name] = tinted_icon(paths.icons_dir() / name, colour)
            button.setIcon(cache[name])
    for controls in root.findChildren(QWidget, "ReadAloud"):
        if hasattr(controls, "set_icons"):
            names = ("speaker.svg", "pause.svg", "play.svg", "stop.svg")
            controls.set_icons({name: cache.get(name) or tinted_icon(paths.icons_dir() / name, colour)
                                for name in names})
