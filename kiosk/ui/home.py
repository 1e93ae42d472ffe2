"""The list of topics: one large tile per section."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.i18n import _
from kiosk.ui.widgets.flow_layout import FlowLayout
from kiosk.ui.widgets.scroll_page import ScrollPage
from kiosk.ui.widgets.tile import SectionTile


class HomeScreen(QWidget):
    sectionChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HomeScreen")
        screen_layout = QVBoxLayout(self)
        screen_layout.setContentsMargins(0, 0, 0, 0)
        self.page = ScrollPage(self)
        screen_layout.addWidget(self.page)
        outer = QVBoxLayout(self.page.body)
        outer.setContentsMargins(48, 32, 48, 40)
        outer.setSpacing(24)
        self.heading = QLabel(self.page.body)
        self.heading.setObjectName("ScreenTitle")
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        # Tiles fill the screen when there is room; fewer columns when a title's longest word needs it.
        self.grid = FlowLayout(spacing=24, uniform=True, max_columns=3)
        outer.addLayout(self.grid, 1)
        self.tiles: list[SectionTile] = []
        self.retranslate()

    def set_sections(self, sections: list[tuple[str, str, Path | None]]) -> None:
        """(section id, title, icon path) in reading order."""
        for tile in self.tiles:
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = []
        for section_id, title, icon in sections:
            tile = SectionTile(section_id, icon, self.page.body)
            tile.set_title(title)
            if getattr(self, "_icon_tint", None):
                tile.set_icon_tint(self._icon_tint)
            tile.clicked.connect(lambda _checked=False, sid=section_id: self.sectionChosen.emit(sid))
            self.tiles.append(tile)
            self.grid.addWidget(tile)

    def set_icon_tint(self, colour: str | None) -> None:
        """Topic icons in one colour in the high-contrast theme (their own blue is 3:1 on black)."""
        self._icon_tint = colour
        for tile in self.tiles:
            tile.set_icon_tint(colour)

    def set_titles(self, titles: dict[str, str]) -> None:
        for tile in self.tiles:
            tile.set_title(titles.get(tile.section_id, tile.section_id))

    def retranslate(self) -> None:
        self.heading.setText(_("Choose a topic"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Three columns on a landscape screen, two on a portrait one (fewer if the titles need it).
        self.grid.set_max_columns(3 if event.size().width() >= event.size().height() else 2)
        super().resizeEvent(event)
