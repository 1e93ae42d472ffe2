"""The list of topics: one large tile per section."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from kiosk.i18n import _
from kiosk.ui.widgets.tile import SectionTile


class HomeScreen(QWidget):
    sectionChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HomeScreen")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 32, 48, 40)
        outer.setSpacing(24)
        self.heading = QLabel(self)
        self.heading.setObjectName("ScreenTitle")
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        self.grid = QGridLayout()
        self.grid.setSpacing(24)
        outer.addLayout(self.grid, 1)
        self.tiles: list[SectionTile] = []
        self._columns = 3
        self.retranslate()

    def set_sections(self, sections: list[tuple[str, str, Path | None]]) -> None:
        """(section id, title, icon path) in reading order."""
        for tile in self.tiles:
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = []
        for section_id, title, icon in sections:
            tile = SectionTile(section_id, icon, self)
            tile.set_title(title)
            tile.clicked.connect(lambda _checked=False, sid=section_id: self.sectionChosen.emit(sid))
            self.tiles.append(tile)
        self._layout_tiles()

    def set_titles(self, titles: dict[str, str]) -> None:
        for tile in self.tiles:
            tile.set_title(titles.get(tile.section_id, tile.section_id))

    def retranslate(self) -> None:
        self.heading.setText(_("Choose a topic"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        columns = 3 if event.size().width() >= event.size().height() else 2
        if columns != self._columns:
            self._columns = columns
            self._layout_tiles()
        super().resizeEvent(event)

    def _layout_tiles(self) -> None:
        for tile in self.tiles:
            self.grid.removeWidget(tile)
        for index, tile in enumerate(self.tiles):
            self.grid.addWidget(tile, index // self._columns, index % self._columns)
        rows = (len(self.tiles) + self._columns - 1) // self._columns
        for row in range(rows + 2):
            self.grid.setRowStretch(row, 1 if row < rows else 0)
        for column in range(4):
            self.grid.setColumnStretch(column, 1 if column < self._columns else 0)
