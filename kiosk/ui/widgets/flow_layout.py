"""A layout that wraps its items into as many rows as the width needs, instead of growing past the screen.

Two ways of placing items:

- ``uniform=True``: a grid of equal cells, as many columns as fit (at most ``max_columns``), each cell at
  least as wide as the widest item wants; spare width widens the cells, spare height goes to the rows when
  an item can grow vertically (language buttons, topic tiles fill the screen when there is room).
- otherwise: items keep their own width and follow each other in reading order; with ``trailing_last`` the
  last item goes to the far end of its row (the consultation button at the end of the bar).

Never narrower than an item's size hint, so no label is cut; the direction (right-to-left) mirrors rows.

With ``height_for_width=False`` the layout does not tell its parents that its height depends on its width;
the widget holding it then follows ``heightForWidth`` itself (the top bar does, on resize, so that a bar on
two rows is never laid out at its one-row height).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, *, spacing: int = 16, uniform: bool = False,
                 max_columns: int = 0, trailing_last: bool = False, height_for_width: bool = True) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.uniform = uniform
        self._max_columns = max_columns
        self.trailing_last = trailing_last
        self._height_for_width = height_for_width
        self.setContentsMargins(0, 0, 0, 0)

    # --- QLayout's contract -----------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if 0 <= index < len(self._items):
            item = self._items.pop(index)
            self.invalidate()
            return item
        return None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Vertical if self.uniform and self._grows_vertically() else Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return self._height_for_width

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        visible = self._visible()
        if not visible:
            return QSize(0, 0)
        if self.uniform:
            cell = self._cell_width(visible)
            columns = min(len(visible), self._max_columns or len(visible))
            width = columns * cell + (columns - 1) * self._gap
        else:
            width = sum(item.sizeHint().width() for item in visible) + (len(visible) - 1) * self._gap
        return QSize(width, self.heightForWidth(width)) + self._margin_size()

    def minimumSize(self) -> QSize:
        # One row's height: the height at a given width is ``heightForWidth``'s answer. Reporting the height at
        # the narrowest width (one item a row) would make every parent, up to the window, that tall.
        visible = self._visible()
        if not visible:
            return QSize(0, 0)
        widest = self._cell_width(visible) if self.uniform else max(item.sizeHint().width() for item in visible)
        return QSize(widest, max(self._height_at(item, widest) for item in visible)) + self._margin_size()

    # --- settings ------------------------------------------------------------------------------------------
    def set_max_columns(self, columns: int) -> None:
        if columns != self._max_columns:
            self._max_columns = columns
            self.invalidate()

    def columns_for(self, width: int) -> int:
        """How many items share a row at this width (uniform layouts)."""
        visible = self._visible()
        if not visible:
            return 0
        cell = self._cell_width(visible)
        columns = max(1, (width - self._margin_size().width() + self._gap) // (cell + self._gap))
        return min(columns, self._max_columns or columns, len(visible))

    # --- placing ---------------------------------------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _margin_size(self) -> QSize:
        margins = self.contentsMargins()
        return QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _grows_vertically(self) -> bool:
        return any(item.widget() is not None and item.widget().sizePolicy().verticalPolicy().value
                   & QSizePolicy.PolicyFlag.GrowFlag.value for item in self._visible())

    def _cell_width(self, visible: list[QLayoutItem]) -> int:
        return max(max(item.sizeHint().width(), item.minimumSize().width()) for item in visible)

    @staticmethod
    def _height_at(item: QLayoutItem, width: int) -> int:
        if item.hasHeightForWidth():
            return max(item.heightForWidth(width), item.minimumSize().height())
        return item.sizeHint().height()

    def _arrange(self, rect: QRect, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        visible = self._visible()
        if not visible:
            return margins.top() + margins.bottom()
        rows = self._uniform_rows(visible, area.width()) if self.uniform else self._flowing_rows(visible, area.width())
        heights = [max(self._height_at(item, width) for item, width in row) for row in rows]
        needed = sum(heights) + self._gap * (len(rows) - 1)
        if apply:
            spare = area.height() - needed
            if self.uniform and spare > 0 and self._grows_vertically():
                heights = [height + spare // len(rows) for height in heights]
            top = area.top()
            for row, height in zip(rows, heights, strict=True):
                self._place_row(row, area, top, height)
                top += height + self._gap
        return needed + margins.top() + margins.bottom()

    def _uniform_rows(self, visible: list[QLayoutItem], width: int) -> list[list[tuple[QLayoutItem, int]]]:
        columns = self.columns_for(width + self._margin_size().width())
        cell = max(self._cell_width(visible), (width - (columns - 1) * self._gap) // columns)
        return [[(item, cell) for item in visible[start:start + columns]] for start in range(0, len(visible), columns)]

    def _flowing_rows(self, visible: list[QLayoutItem], width: int) -> list[list[tuple[QLayoutItem, int]]]:
        rows: list[list[tuple[QLayoutItem, int]]] = [[]]
        used = 0
        for item in visible:
            wanted = item.sizeHint().width()
            if rows[-1] and used + self._gap + wanted > width:
                rows.append([])
                used = 0
            used += (self._gap if rows[-1] else 0) + wanted
            rows[-1].append((item, wanted))
        return rows

    def _place_row(self, row: list[tuple[QLayoutItem, int]], area: QRect, top: int, height: int) -> None:
        x = area.left()
        last = self._visible()[-1]
        for item, width in row:
            if self.trailing_last and item is last:
                x = max(x, area.right() + 1 - width)
            item_height = height if self.uniform else min(height, self._height_at(item, width))
            box = QRect(QPoint(x, top), QSize(width, item_height))
            if self._right_to_left():
                box.moveLeft(area.left() + area.right() - box.right())
            item.setGeometry(box)
            x += width + self._gap

    def _right_to_left(self) -> bool:
        parent = self.parentWidget()
        return parent is not None and parent.layoutDirection() == Qt.LayoutDirection.RightToLeft
