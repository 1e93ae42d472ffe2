"""Every theme's colours meet WCAG 2.2 AA, computed from the palettes themselves.

Relative luminance and contrast ratio as WCAG defines them (sRGB, 0.2126 R + 0.7152 G + 0.0722 B). Body
text needs 4.5:1 (1.4.3); large text (24 px and more, or 18.66 px bold) and control borders and focus
indicators need 3:1 (1.4.3 and 1.4.11).
"""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from kiosk.ui import theme

PALETTES = {"default": theme.DEFAULT_PALETTE, "high contrast": theme.HIGH_CONTRAST_PALETTE}
BODY, LARGE, CONTROL = 4.5, 3.0, 3.0

# (what, foreground field, background field, required ratio): every pair the style sheet and the page style
# sheet draw, from the rules that use them.
PAIRS = [
    ("body text on the screen", "text", "background", BODY),
    ("body text on cards, buttons, fields and the page", "text", "surface", BODY),
    ("privacy notice, counters, disclaimer (muted)", "muted", "surface", BODY),
    ("muted text on the screen background", "muted", "background", BODY),
    ("tile titles, page headings and links", "accent", "surface", BODY),
    ("attract title and reference code", "accent", "background", LARGE),
    ("consultation and send buttons", "action_text", "action", BODY),
    ("notices", "notice_text", "notice_bg", BODY),
    ("text on a pressed button", "text", "pressed", BODY),
    ("consultation button while pressed", "action_text", "action_pressed", BODY),
    ("the chosen language or choice", "text", "checked", BODY),
    ("error messages", "error", "background", BODY),
    ("the sentence being read aloud", "reading_text", "reading_bg", BODY),
    ("button and field borders on cards", "border", "surface", CONTROL),
    ("button and field borders on the screen", "border", "background", CONTROL),
    ("focus ring and chosen border on cards", "accent", "surface", CONTROL),
    ("focus ring and chosen border on the chosen background", "accent", "checked", CONTROL),
    ("scroll bar handle", "border", "background", CONTROL),
    ("consultation button against the bar", "action", "surface", CONTROL),
]


def luminance(colour: str) -> float:
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("palette_name", PALETTES)
@pytest.mark.parametrize(("what", "foreground", "background", "needed"), PAIRS, ids=[pair[0] for pair in PAIRS])
def test_pair_meets_wcag_aa(palette_name, what, foreground, background, needed):
    palette = PALETTES[palette_name]
    ratio = contrast(getattr(palette, foreground), getattr(palette, background))
    assert ratio >= needed, f"{palette_name}: {what} ({foreground} on {background}) is {ratio:.2f}:1"


def test_high_contrast_is_at_least_seven_to_one_for_text():
    palette = theme.HIGH_CONTRAST_PALETTE
    for foreground, background in (("text", "background"), ("accent", "background"), ("action_text", "action"),
                                   ("notice_text", "notice_bg"), ("error", "background")):
        assert contrast(getattr(palette, foreground), getattr(palette, background)) >= 7.0, foreground


@pytest.mark.parametrize("palette_name", PALETTES)
def test_every_colour_in_the_style_sheets_comes_from_the_palette(qapp, palette_name):
    palette = PALETTES[palette_name]
    values = {getattr(palette, field.name).lower() for field in fields(palette)}
    for sheet in (theme.style_sheet(1.5, palette), theme.document_style_sheet(palette)):
        used = re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)", sheet)
        assert used
        stray = {colour for colour in used if colour.lower() not in values}
        assert not stray, f"colours not in the palette: {stray}"


def test_every_pair_names_real_palette_fields():
    names = {field.name for field in fields(theme.Palette)}
    for what, foreground, background, _needed in PAIRS:
        assert {foreground, background} <= names, what


def test_the_palettes_differ_where_it_matters():
    assert theme.palette_for(True) is theme.HIGH_CONTRAST_PALETTE
    assert theme.palette_for(False) is theme.DEFAULT_PALETTE
    assert theme.HIGH_CONTRAST_PALETTE.background != theme.DEFAULT_PALETTE.background
