"""Colours, fonts and the style sheet, scaled by the visitor's text size."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFontDatabase

from kiosk import paths

BODY_PX = 26  # body text at the default size; the brief asks for at least 24 px
FOCUS_RING_PX = 4
MIN_TARGET_PX = 88  # a button's whole box, border included: above the 80x80 px accessibility goal
BAR_LABEL_PX = 24
BUTTON_BORDER_PX = 2
BUTTON_PAD_V, BUTTON_PAD_H = 8, 20
# Sizes are designed for a screen 1080 px on its shorter side. A larger screen (2160 px: a 4K display
# without the system's scaling) scales everything up with it; a smaller one keeps these sizes (text is never
# smaller than designed) and its screens scroll where the content does not fit.
DESIGN_SHORT_SIDE_PX = 1080
MAX_DISPLAY_SCALE = 2.0


@dataclass(frozen=True)
class Palette:
    background: str = "#f4f6f8"
    surface: str = "#ffffff"
    text: str = "#1b2530"
    muted: str = "#44505c"
    accent: str = "#1f5f8b"
    accent_text: str = "#ffffff"
    action: str = "#a33a1f"  # the consultation button: warm, distinct from navigation
    action_text: str = "#ffffff"
    border: str = "#8a99a8"
    notice_bg: str = "#fff4d6"
    notice_text: str = "#4a3800"
    success_bg: str = "#dcf2e2"  # "your request has been sent"
    success_text: str = "#14532d"
    pressed: str = "#dde6ee"  # background of a button under the finger
    action_pressed: str = "#7d2c17"
    checked: str = "#e3eef7"  # background of the chosen language or choice (which also gets a thick border)
    disabled_text: str = "#66717c"
    disabled_border: str = "#c5ced6"
    send_disabled_bg: str = "#d9d0cd"
    send_disabled_text: str = "#4e4744"
    error: str = "#a1241b"
    overlay: str = "rgba(20, 30, 40, 200)"  # dims the screen behind the idle countdown
    reading_bg: str = "#ffe27a"  # the sentence being read aloud
    reading_text: str = "#1b2530"
    # The keyboard focus ring (WCAG 2.4.7, 2.4.13): 4 px, at least 3:1 against what it replaces and what
    # surrounds it, and unlike the chosen state's border.
    focus: str = "#1b2530"


DEFAULT_PALETTE = Palette(border="#6b7a89")  # borders 3:1 against the background (WCAG 1.4.11)

# Black, white and yellow, for visitors with low vision; one tap on the bar, for one visit.
HIGH_CONTRAST_PALETTE = Palette(
    background="#000000", surface="#000000", text="#ffffff", muted="#ffffff", accent="#ffe500",
    accent_text="#000000", action="#ffe500", action_text="#000000", border="#ffffff", notice_bg="#ffffff",
    notice_text="#000000", success_bg="#00e060", success_text="#000000", pressed="#4d4d4d",
    action_pressed="#b3a000", checked="#333333",
    disabled_text="#b3b3b3", disabled_border="#808080", send_disabled_bg="#000000", send_disabled_text="#b3b3b3",
    error="#ff9e9e", overlay="rgba(0, 0, 0, 220)", reading_bg="#ffe500", reading_text="#000000",
    focus="#00e5ff",
)


def palette_for(high_contrast: bool) -> Palette:
    return HIGH_CONTRAST_PALETTE if high_contrast else DEFAULT_PALETTE

_loaded_families: list[str] = []


def load_fonts() -> list[str]:
    """Register the bundled Noto fonts once, so every kiosk renders the same glyphs."""
    if not _loaded_families:
        for font_file in sorted(paths.fonts_dir().glob("*.ttf")):
            font_id = QFontDatabase.addApplicationFont(str(font_file))
            if font_id >= 0:
                for family in QFontDatabase.applicationFontFamilies(font_id):
                    if family not in _loaded_families:
                        _loaded_families.append(family)
    return list(_loaded_families)


def font_families() -> list[str]:
    """Latin/Cyrillic first, Arabic script as fallback for the glyphs Noto Sans lacks."""
    preferred = ["Noto Sans", "Noto Sans Arabic"]
    loaded = load_fonts()
    return [family for family in preferred if family in loaded] or ["sans-serif"]


def px(value: float, scale: float) -> int:
    return round(value * scale)


def display_scale(width: int, height: int) -> float:
    """How much larger than designed the screen is, from its shorter side (1.0 to 2.0, in quarter steps so a
    window a few pixels off does not restyle everything)."""
    short = min(width, height)
    if short <= 0:
        return 1.0
    steps = round(short / DESIGN_SHORT_SIDE_PX * 4) / 4
    return max(1.0, min(MAX_DISPLAY_SCALE, steps))


def target_px(display: float = 1.0) -> int:
    """The smallest touch target's side at this display scale."""
    return px(MIN_TARGET_PX, display)


def style_sheet(scale: float = 1.0, palette: Palette = DEFAULT_PALETTE, display: float = 1.0) -> str:
    """``scale`` is the visitor's text size, ``display`` the screen's (``display_scale``): text follows both,
    targets, spacing and the fixed-size labels follow the screen only."""
    families = ", ".join(f'"{family}"' for family in font_families())
    p = palette
    text = scale * display
    # Headings are already large: they grow half as fast as the text, which leaves the text the room.
    heading = (1 + (scale - 1) / 2) * display
    target = target_px(display)
    pad_v, pad_h = px(BUTTON_PAD_V, display), px(BUTTON_PAD_H, display)
    bar_pad_h = px(14, display)
    border = BUTTON_BORDER_PX
    # Qt's min-height and min-width are the content's: the padding and the border come on top of them.
    inner_h = target - 2 * (pad_v + border)
    inner_w = target - 2 * (pad_h + border)
    bar_inner_w = target - 2 * (bar_pad_h + border)
    # A field's whole box (padding and border included) at least the 80 px target.
    field_h = px(68, display)
    check_mark = paths.icons_dir() / ("check-black.svg" if p.accent_text == "#000000" else "check-white.svg")
    return f"""
    QWidget {{ font-family: {families}; font-size: {px(BODY_PX, text)}px; color: {p.text}; }}
    #KioskWindow, #ScreenStack, QStackedWidget > QWidget {{ background: {p.background}; }}
    #TopBar {{ background: {p.surface}; border-bottom: 2px solid {p.border}; }}
    QPushButton {{
        min-height: {inner_h}px; min-width: {inner_w}px; padding: {pad_v}px {pad_h}px;
        border: {border}px solid {p.border}; border-radius: 14px; background: {p.surface}; color: {p.text};
        font-size: {px(24, text)}px; font-weight: 600;
    }}
    QPushButton:pressed {{ background: {p.pressed}; }}
    QPushButton:disabled {{ color: {p.disabled_text}; border-color: {p.disabled_border}; }}
    /* The bar keeps one size at every text step: its labels are already large, and at the largest step
       four of them would not fit a portrait screen in German or Russian. */
    #TopBar QPushButton {{
        font-size: {px(BAR_LABEL_PX, display)}px; padding: {pad_v}px {bar_pad_h}px; min-width: {bar_inner_w}px;
    }}
    QPushButton#ContrastButton[on="true"] {{ border: 4px solid {p.accent}; background: {p.checked}; }}
    /* Filled buttons keep a clear margin where the focus ring is drawn, so the ring stands out against the
       bar, not against the fill. */
    QPushButton#ConsultButton {{
        background: {p.action}; color: {p.action_text}; border: {FOCUS_RING_PX}px solid transparent;
        background-clip: padding;
    }}
    QPushButton#ConsultButton:pressed {{ background: {p.action_pressed}; }}
    QPushButton#SectionTile {{ background: {p.surface}; border: 2px solid {p.border}; border-radius: 20px; }}
    QPushButton#SectionTile:pressed {{ background: {p.pressed}; }}
    QPushButton#LanguageChoice {{ font-size: {px(34, text)}px; border-radius: 20px; }}
    QPushButton#LanguageChoice[current="true"] {{ border: 4px solid {p.accent}; background: {p.checked}; }}
    QPushButton#AttractLanguage {{
        font-size: {px(26, display)}px; padding: {pad_v}px {px(12, display)}px;
        min-width: {target - 2 * (px(12, display) + border)}px;
    }}  /* attract is always at step 0 */
    QLabel#FieldLabel {{ font-weight: 600; }}
    QLabel#FieldError {{ color: {p.error}; font-weight: 600; }}
    QLabel#Counter {{ color: {p.muted}; font-size: {px(20, text)}px; }}
    QLabel#Privacy {{ color: {p.muted}; }}
    QLabel#Reference {{ font-size: {px(64, text)}px; font-weight: 700; color: {p.accent}; }}
    QLineEdit, QComboBox, QPlainTextEdit {{
        min-height: {field_h}px; border: 2px solid {p.border}; border-radius: 10px; padding: 4px 12px;
        background: {p.surface}; placeholder-text-color: {p.muted};
    }}
    QComboBox::drop-down {{ width: {px(56, display)}px; border: none; }}
    QScrollArea, QWidget#FormBody {{ background: {p.background}; }}
    QWidget#PageBody {{ background: transparent; }}
    /* One-of-several choices are radio buttons drawn as buttons: no round indicator, the thick border and
       the tint show the chosen one. */
    QRadioButton#ChoiceButton {{
        min-height: {inner_h}px; padding: {pad_v}px {pad_h}px; spacing: 0px;
        border: {border}px solid {p.border}; border-radius: 14px; background: {p.surface}; color: {p.text};
        font-size: {px(24, text)}px; font-weight: 600;
    }}
    QRadioButton#ChoiceButton::indicator {{ width: 0px; height: 0px; }}
    QRadioButton#ChoiceButton:checked {{ border: 4px solid {p.accent}; background: {p.checked}; }}
    QPushButton#SendButton {{
        background: {p.action}; color: {p.action_text}; border: {FOCUS_RING_PX}px solid transparent;
        background-clip: padding;
    }}
    QPushButton#SendButton:disabled {{
        background: {p.send_disabled_bg}; color: {p.send_disabled_text}; border-color: {p.disabled_border};
    }}
    QCheckBox {{ spacing: 16px; font-weight: 600; }}
    QLabel#ConsentText {{ font-weight: 600; }}
    /* The box drawn by the theme, its border in the text colour (the style's own grey was 1.75:1), inside a
       target of at least 80 px. */
    QCheckBox::indicator {{
        width: {px(56, display)}px; height: {px(56, display)}px; border: 3px solid {p.text}; border-radius: 8px;
        background: {p.surface};
    }}
    QCheckBox::indicator:checked {{
        background: {p.accent}; border-color: {p.accent}; image: url({check_mark.as_posix()});
    }}
    QLabel#TileTitle {{ font-size: {px(30, text)}px; font-weight: 700; color: {p.accent}; background: transparent; }}
    QLabel#ScreenTitle, QLabel#DoneTitle {{ font-size: {px(40, heading)}px; font-weight: 700; color: {p.text}; }}
    QLabel#DoneTitle {{ border: {FOCUS_RING_PX}px solid transparent; border-radius: 10px; padding: 4px; }}
    QLabel#AttractTitle {{ font-size: {px(72, display)}px; font-weight: 700; color: {p.accent}; }}
    QLabel#AttractInvite {{ font-size: {px(44, display)}px; color: {p.text}; }}
    QLabel#AttractSub {{ font-size: {px(30, display)}px; color: {p.muted}; }}
    QLabel#Position {{ font-size: {px(26, text)}px; color: {p.muted}; }}
    QLabel#Disclaimer {{ font-size: {px(20, text)}px; color: {p.muted}; }}
    QLabel#Notice {{ background: {p.notice_bg}; color: {p.notice_text}; border-radius: 10px; padding: 10px 16px; }}
    QLabel#Success {{ background: {p.success_bg}; color: {p.success_text}; border-radius: 10px; padding: 10px 16px; }}
    QTextBrowser {{
        background: {p.surface}; border: {FOCUS_RING_PX}px solid {p.surface}; border-radius: 16px; padding: 12px 20px;
    }}
    #StatusStrip {{ background: {p.surface}; border-top: 2px solid {p.border}; }}
    QLabel#StatusText {{ font-size: {px(22, text)}px; color: {p.text}; }}
    QFrame#IdleOverlay {{ background: {p.overlay}; }}
    #IdleCard {{ border: 2px solid {p.border}; background: {p.surface}; border-radius: 24px; }}
    QLabel#IdleTitle {{ font-size: {px(44, text)}px; font-weight: 700; }}
    QLabel#IdleCount {{ font-size: {px(72, text)}px; font-weight: 700; color: {p.accent}; }}
    {focus_rules(p, pad_v, pad_h, bar_pad_h, px(12, display))}
    QScrollBar:vertical {{ width: {px(22, display)}px; background: {p.background}; }}
    QScrollBar::handle:vertical {{ background: {p.border}; border-radius: 10px; min-height: 60px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0px; border: none; }}
    QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
    """


def focus_rules(p: Palette, pad_v: int, pad_h: int, bar_pad_h: int, attract_pad_h: int) -> str:
    """The focus ring on every control that takes the focus, after the rules it must win over.

    The ring is wider than a control's usual border; the padding gives up what the ring takes, so a focused
    control keeps its size (its label never needs more room than it has). A chosen control (its border
    already thick in the accent colour) gets a wider ring, so the ring's inner part replaces the tint."""
    ring = FOCUS_RING_PX
    grows = ring - BUTTON_BORDER_PX  # over the usual border
    buttons = [("QPushButton", pad_v, pad_h), ("#TopBar QPushButton", pad_v, bar_pad_h),
               ("QPushButton#SectionTile", pad_v, pad_h), ("QPushButton#LanguageChoice", pad_v, pad_h),
               ("QPushButton#AttractLanguage", pad_v, attract_pad_h), ("QRadioButton#ChoiceButton", pad_v, pad_h)]
    chosen = [('QPushButton#LanguageChoice[current="true"]', pad_v, pad_h),
              ('#TopBar QPushButton#ContrastButton[on="true"]', pad_v, bar_pad_h),
              ("QRadioButton#ChoiceButton:checked", pad_v, pad_h)]
    rules = [f"{selector}:focus {{ border: {ring}px solid {p.focus}; padding: {v - grows}px {h - grows}px; }}"
             for selector, v, h in buttons]
    rules += [f"{selector}:focus {{ border: {ring + 2}px solid {p.focus}; "
              f"padding: {v - grows - 2}px {h - grows - 2}px; }}" for selector, v, h in chosen]
    # Fields (2 px border, 4 px 12 px padding); filled buttons, the page text and the confirmation keep a
    # transparent ring-wide border for it.
    rules.append(f"QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus {{ border: {ring}px solid {p.focus}; "
                 f"padding: {4 - grows}px {12 - grows}px; }}")
    rules.append(f"QPushButton#ConsultButton:focus, QPushButton#SendButton:focus, QTextBrowser:focus, "
                 f"QLabel#DoneTitle:focus, QCheckBox:focus, QScrollArea#FormScroll:focus "
                 f"{{ border-color: {p.focus}; }}")
    rules.append(f"QCheckBox, QScrollArea#FormScroll {{ border: {ring}px solid transparent; border-radius: 10px; }}")
    rules.append("QCheckBox { padding: 4px; }")
    return "\n    ".join(rules)


# Scripts whose fonts already space their lines for stacked marks: Noto Sans Arabic's natural line is 2.1
# times its size (Noto Sans: 1.4), so the 140 % that opens up Latin and Cyrillic text left three sizes
# between two Persian lines, as far apart as two paragraphs.
_TALL_SCRIPT_LANGUAGES = frozenset({"ar", "fa", "ur", "ps", "ckb", "sd", "ug"})


def line_height_percent(language: str) -> int:
    """The page's line height, in percent of its font's own line spacing, for text in ``language``."""
    return 100 if language.split("-")[0].split("_")[0] in _TALL_SCRIPT_LANGUAGES else 140


def document_style_sheet(palette: Palette = DEFAULT_PALETTE, language: str = "en") -> str:
    """CSS for the section pages inside the text browser (Qt's rich-text subset)."""
    return f"""
    h1, h2, h3 {{ color: {palette.accent}; }}
    p, li {{ line-height: {line_height_percent(language)}%; }}
    a {{ color: {palette.accent}; text-decoration: underline; }}
    """
