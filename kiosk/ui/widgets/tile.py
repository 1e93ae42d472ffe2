"""A large touch tile: icon above a title that wraps instead of being cut off."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.ui.widgets.tinted_icon import tinted_icon

TILE_MIN_WIDTH = 240  # three tiles beside each other on a 1024 px screen


class SectionTile(QPushButton):
    def __init__(self, section_id: str, icon_path: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section_id = section_id
        self.setObjectName("SectionTile")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 20, 16, 20)
        layout.setSpacing(12)
        self.icon_label = QLabel(self)
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.icon_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._icon_path = icon_path
        self._icon = QIcon(str(icon_path)) if icon_path else QIcon()
        self._side = 96
        self.title_label = QLabel(self)
        self.title_label.setObjectName("TileTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout.addStretch(1)
        layout.addWidget(self.icon_label)
        layout.addWidget(self.title_label)
        layout.addStretch(1)
        self.set_icon_size(96)

    # A push button sizes itself by its own text, which a tile does not have: the icon and the wrapping title
    # (at least its longest word) decide, so a layout never makes a tile too narrow for its title.
    def minimumSizeHint(self) -> QSize:
        layout = self.layout()
        width = max(TILE_MIN_WIDTH, layout.totalMinimumSize().width())
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
        return QSize(width, height if height > 0 else layout.totalMinimumSize().height())

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def set_icon_tint(self, colour: str | None) -> None:
        """The icon in one colour (the high-contrast theme's), or in its own colours (None)."""
        if self._icon_path is None:
            return
        self._icon = tinted_icon(self._icon_path, colour) if colour else QIcon(str(self._icon_path))
        self.set_icon_size(self._side)

    def set_icon_size(self, side: int) -> None:
        self._side = side
        if not self._icon.isNull():
            self.icon_label.setPixmap(self._icon.pixmap(QSize(side, side), self.devicePixelRatioF()))

    def set_title(self, title: str) -> None:
        self.title_label.setText(title)
        self.setAccessibleName(title)

    def title(self) -> str:
        return self.title_label.text()
