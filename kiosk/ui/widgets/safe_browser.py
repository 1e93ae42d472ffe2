"""A text browser that can only show what the content folder holds.

QTextBrowser follows links and reads any local file by default. Here links never navigate by themselves
(the reader receives ``sectionRequested``), and ``loadResource`` serves images only from inside the
content folder. Everything refused gets a harmless placeholder: returning nothing makes Qt open the path
itself.

Qt's SVG reader opens any file an ``<image href>`` names, even when the SVG comes from memory, and
QImageReader picks a format from the bytes when the name's type does not fit. So a picture is read once into
memory and handed to ``safe_picture.decode_picture`` (checked, an SVG rebuilt with nothing that can load,
decoded from those bytes with its format fixed): a file changed after the check cannot matter.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QFrame, QTextBrowser, QWidget

from kiosk.bundle.library import MAX_IMAGE_BYTES
from kiosk.bundle.render import SECTION_SCHEME, safe_image_path
from kiosk.ui.widgets.safe_picture import FORMATS, decode_picture

MAX_IMAGE_WIDTH = 1400


class SafeTextBrowser(QTextBrowser):
    sectionRequested = Signal(str)

    def __init__(self, resolve_asset: Callable[[str], Path | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._resolve_asset = resolve_asset
        # Decoded pictures by file and version: Qt forgets its images at every setHtml, and reading, checking
        # and decoding an SVG again each time a page opens costs the GUI thread tens of milliseconds.
        self._decoded: dict[Path, tuple[tuple[int, int], QImage]] = {}
        self._placeholder = QImage(1, 1, QImage.Format.Format_ARGB32)
        self._placeholder.fill(Qt.GlobalColor.transparent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        # Links are reached with Tab and opened with Enter too (keyboards and switches), not only by touch.
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSearchPaths([])
        self.anchorClicked.connect(self._on_anchor)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Dragging the text scrolls it (``kiosk.ui.widgets.drag_scroll``, enabled by the reader).

    def set_resolver(self, resolve_asset: Callable[[str], Path | None]) -> None:
        self._resolve_asset = resolve_asset
        self._decoded.clear()

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == SECTION_SCHEME:
            self.sectionRequested.emit(url.path())
        elif not url.scheme() and url.fragment() and not url.path():
            self.scrollToAnchor(url.fragment())
        # Anything else: nothing happens. The sanitiser already removed such links; this is the backstop.

    def setSource(self, name: QUrl, type: QTextDocument.ResourceType = QTextDocument.ResourceType.UnknownResource) -> None:  # noqa: E501
        # Navigation is the reader's job; the browser never loads a document by URL.
        return

    def loadResource(self, resource_type: int, name: QUrl) -> object:
        if resource_type == QTextDocument.ResourceType.ImageResource.value:
            return self._load_image(name)
        # Style sheets, other documents, anything unknown: empty bytes, never a file read by Qt.
        return QByteArray()

    def _load_image(self, name: QUrl) -> QImage:
        text = name.toString()
        relative = safe_image_path(text) if not name.scheme() else None
        path = self._resolve_asset(relative) if relative else None
        if path is None or relative is None or path.suffix.lower() not in FORMATS:
            return self._placeholder
        try:
            stat = path.stat()
            version = (stat.st_size, stat.st_mtime_ns)
            known = self._decoded.get(path)
            if known is not None and known[0] == version:
                return known[1]
            with path.open("rb") as handle:
                data = handle.read(MAX_IMAGE_BYTES + 1)
        except OSError:
            return self._placeholder
        image = self._checked_and_decoded(relative, data)
        self._decoded[path] = (version, image)
        return image

    def _checked_and_decoded(self, relative: str, data: bytes) -> QImage:
        image = decode_picture(relative, data, max_width=MAX_IMAGE_WIDTH)
        return image if image is not None else self._placeholder
