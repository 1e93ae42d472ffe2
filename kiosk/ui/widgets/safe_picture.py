"""Pictures from a bundle decoded from memory, never by Qt from a file name.

Qt's SVG reader opens any file an ``<image href>`` names (absolute, ``file:``, ``../`` or a bare name,
relative to the SVG's folder or, from memory, to the working folder), and QImageReader picks a format from
the bytes when the name's type does not fit. So a picture is read into memory by the caller, checked there
(``assetcheck.asset_problem``), an SVG is handed to Qt only as ``assetcheck.clean_svg`` rebuilt it (nothing
in it can load anything, whatever the check may have missed), and the bytes are decoded with the format
fixed. A file changed after the check cannot matter: Qt never reads the file.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from kiosk.bundle.assetcheck import asset_problem, clean_svg
from kiosk.bundle.library import MAX_IMAGE_BYTES

MAX_IMAGE_PIXELS = 4096 * 4096
FORMATS = {".png": b"png", ".jpg": b"jpeg", ".jpeg": b"jpeg", ".svg": b"svg", ".webp": b"webp"}


def decode_picture(relative: str, data: bytes, max_width: int | None = None,
                   fit: QSize | None = None) -> QImage | None:
    """The picture ``relative`` (its bytes ``data``) decoded, or None when it is refused or cannot be
    decoded. ``max_width``: wider pictures are scaled down to it; ``fit``: scaled to fit this box (an SVG
    also up, a bitmap only down)."""
    if len(data) > MAX_IMAGE_BYTES or asset_problem(relative, data) is not None:
        return None
    return decode_unchecked(relative, data, max_width, fit)


def decode_unchecked(relative: str, data: bytes, max_width: int | None = None,
                     fit: QSize | None = None) -> QImage | None:
    """``decode_picture`` without the check: what holds even if the check lets something through (an SVG
    is still cleaned first). Only ``decode_picture`` and the tests call it."""
    suffix = PurePosixPath(relative).suffix.lower()
    image_format = FORMATS.get(suffix)
    if image_format is None:
        return None
    if suffix == ".svg":
        cleaned = clean_svg(data)
        if cleaned is None:
            return None
        data = cleaned
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    try:
        reader = QImageReader(buffer, image_format)
        reader.setAutoDetectImageFormat(False)
        reader.setDecideFormatFromContent(False)
        size = reader.size()
        too_big = not size.isValid() or size.width() * size.height() > MAX_IMAGE_PIXELS
        # Bitmaps that declare no size or an enormous one are never decoded; an SVG's size is only nominal
        # (it is drawn at the scaled size below).
        if too_big and not (suffix == ".svg" and size.isValid()):
            return None
        target = _target_size(size, suffix == ".svg", max_width, fit)
        if target is not None:
            reader.setScaledSize(target)
        image = reader.read()
    finally:
        buffer.close()
    return None if image.isNull() else image


def _target_size(size: QSize, scalable: bool, max_width: int | None, fit: QSize | None) -> QSize | None:
    if size.isEmpty():
        return None
    if fit is not None and not fit.isEmpty():
        if scalable or size.width() > fit.width() or size.height() > fit.height():
            return size.scaled(fit, Qt.AspectRatioMode.KeepAspectRatio)
        return None
    if max_width is not None and size.width() > max_width:
        return QSize(max_width, round(size.height() * max_width / size.width()))
    if scalable and size.width() * size.height() > MAX_IMAGE_PIXELS:
        return size.scaled(QSize(4096, 4096), Qt.AspectRatioMode.KeepAspectRatio)
    return None
