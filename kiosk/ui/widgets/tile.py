"""A large touch tile: icon above a title that wraps instead of being cut off."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.bundle.library import MAX_IMAGE_BYTES
from kiosk.ui.widgets.safe_picture import decode_picture
from kiosk.ui.widgets.tinted_icon import tinted_pixmap

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
        # The icon comes from the bundle: its bytes are read once and decoded by safe_picture at each size,
        # never handed to QIcon by file name (Qt would follow what an SVG references).
        self._icon_name = icon_path.name if icon_path else ""
        self._icon_bytes = _read_icon(icon_path) if icon_path else b""
        self._tint: str | None = None
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
        """Draw the icon's shape in ``colour`` (high contrast), or as the bundle drew it (None)."""
        self._tint = colour
        self.set_icon_size(self._side)

    def set_icon_size(self, side: int) -> None:
        self._side = side
        if not self._icon_bytes:
            return
        ratio = self.devicePixelRatioF()
        pixels = round(side * ratio)
        image = decode_picture(self._icon_name, self._icon_bytes, fit=QSize(pixels, pixels))
        if image is None:
            return
        pixmap = QPixmap.fromImage(image)
        if self._tint:
            pixmap = tinted_pixmap(pixmap, self._tint)
        pixmap.setDevicePixelRatio(ratio)
        self.icon_label.setPixmap(pixmap)

    def set_title(self, title: str) -> None:
        self.title_label.setText(title)
        self.setAccessibleName(title)

    def title(self) -> str:
        return self.title_label.text()


def _read_icon(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_IMAGE_BYTES + 1)
    except OSError:
        return b""
