"""Colours measured from a screen grab: WCAG contrast, a control's text against its background, and how far
a focus indicator changes the pixels around a control."""

from __future__ import annotations

from array import array
from collections import Counter

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(rgb: int) -> float:
    red, green, blue = (rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF
    return 0.2126 * _linear(red) + 0.7152 * _linear(green) + 0.0722 * _linear(blue)


def contrast(first: int, second: int) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def pixels(image: QImage, box: QRect) -> array:
    """The RGB values (0xRRGGBB) inside ``box``, row by row."""
    part = image.copy(box.intersected(image.rect())).convertToFormat(QImage.Format.Format_RGB32)
    values = array("I")
    values.frombytes(bytes(part.constBits())[: part.width() * part.height() * 4])
    return array("I", (value & 0xFFFFFF for value in values))


def text_contrast(image: QImage, box: QRect, share: float = 0.03) -> float | None:
    """The contrast of a control's text (or icon) with its background: the most common colour is the
    background; the ink is the colour furthest from it among those covering at least ``share`` of the rest
    (anti-aliased edges are many colours, each rare). None where nothing but background is drawn."""
    counts = Counter(pixels(image, box))
    if not counts:
        return None
    background, _ = counts.most_common(1)[0]
    rest = sum(counts.values()) - counts[background]
    if rest == 0:
        return None
    inks = [colour for colour, count in counts.items() if colour != background and count >= share * rest]
    if not inks:
        return None
    return max(contrast(background, ink) for ink in inks)


def focus_change(before: QImage, after: QImage, box: QRect, margin: int = 8) -> tuple[int, int]:
    """Pixels in and around ``box`` whose colour changed by at least 3:1 when the control got the focus, and
    the control's perimeter (WCAG 2.4.13 asks for an area at least twice the perimeter, a 2 px ring)."""
    area = box.adjusted(-margin, -margin, margin, margin)
    old, new = pixels(before, area), pixels(after, area)
    changed = sum(1 for first, second in zip(old, new, strict=True) if first != second and contrast(first, second) >= 3)
    return changed, 2 * (box.width() + box.height())
