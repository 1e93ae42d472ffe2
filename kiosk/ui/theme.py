"""Colours, fonts and the style sheet, scaled by the visitor's text size."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFontDatabase

from kiosk import paths

BODY_PX = 26  # body text at the default size; the brief asks for at least 24 px
MIN_TARGET_PX = 88
BAR_LABEL_PX = 24  # touch targets stay above 80x80 px at 1920x1080


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


DEFAULT_PALETTE = Palette(border="#6b7a89")  # borders 3:1 against the background (WCAG 1.4.11)

# Black, white and yellow, for visitors with low vision; one tap on the bar, for one visit.
HIGH_CONTRAST_PALETTE = Palette(
    background="#000000", surface="#000000", text="#ffffff", muted="#ffffff", accent="#ffe500",
    accent_text="#000000", action="#ffe500", action_text="#000000", border="#ffffff", notice_bg="#ffffff",
    notice_text="#000000", success_bg="#00e060", success_text="#000000", pressed="#4d4d4d",
    action_pressed="#b3a000", checked="#333333",
    disabled_text="#b3b3b3", disabled_border="#808080", send_disabled_bg="#000000", send_disabled_text="#b3b3b3",
    error="#ff9e9e", overlay="rgba(0, 0, 0, 220)", reading_bg="#ffe500", reading_text="#000000",
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


def style_sheet(scale: float = 1.0, palette: Palette = DEFAULT_PALETTE) -> str:
    families = ", ".join(f'"{family}"' for family in font_families())
    p = palette
    return f"""
    QWidget {{ font-family: {families}; font-size: {px(BODY_PX, scale)}px; color: {p.text}; }}
    #KioskWindow, #ScreenStack, QStackedWidget > QWidget {{ background: {p.background}; }}
    #TopBar {{ background: {p.surface}; border-bottom: 2px solid {p.border}; }}
    QPushButton {{
        min-height: {MIN_TARGET_PX}px; min-width: {MIN_TARGET_PX}px; padding: 8px 20px;
        border: 2px solid {p.border}; border-radius: 14px; background: {p.surface}; color: {p.text};
        font-size: {px(24, scale)}px; font-weight: 600;
    }}
    QPushButton:pressed {{ background: {p.pressed}; }}
    QPushButton:focus {{ border: 3px solid {p.accent}; }}
    QPushButton:disabled {{ color: {p.disabled_text}; border-color: {p.disabled_border}; }}
    /* The bar keeps one size at every text step: its labels are already large, and at the largest step
       four of them would not fit a portrait screen in German or Russian. */
    #TopBar QPushButton {{ font-size: {BAR_LABEL_PX}px; padding: 8px 14px; }}
    QPushButton#ContrastButton:checked {{ border: 4px solid {p.accent}; background: {p.checked}; }}
    QPushButton#ConsultButton {{ background: {p.action}; color: {p.action_text}; border-color: {p.action}; }}
    QPushButton#ConsultButton:pressed {{ background: {p.action_pressed}; }}
    QPushButton#SectionTile {{ background: {p.surface}; border: 2px solid {p.border}; border-radius: 20px; }}
    QPushButton#SectionTile:pressed {{ background: {p.pressed}; }}
    QPushButton#LanguageChoice {{ font-size: {px(34, scale)}px; border-radius: 20px; }}
    QPushButton#LanguageChoice:checked {{ border: 4px solid {p.accent}; background: {p.checked}; }}
    QPushButton#AttractLanguage {{ font-size: 26px; padding: 8px 12px; }}  /* attract is always at step 0 */
    QLabel#FieldLabel {{ font-weight: 600; }}
    QLabel#FieldError {{ color: {p.error}; font-weight: 600; }}
    QLabel#Counter {{ color: {p.muted}; font-size: {px(20, scale)}px; }}
    QLabel#Privacy {{ color: {p.muted}; }}
    QLabel#Reference {{ font-size: {px(64, scale)}px; font-weight: 700; color: {p.accent}; }}
    QLineEdit, QComboBox, QPlainTextEdit {{
        min-height: 64px; border: 2px solid {p.border}; border-radius: 10px; padding: 4px 12px;
        background: {p.surface};
    }}
    QComboBox::drop-down {{ width: 56px; border: none; }}
    QScrollArea, QWidget#FormBody {{ background: {p.background}; }}
    QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus {{ border: 3px solid {p.accent}; }}
    QPushButton#ChoiceButton:checked {{ border: 4px solid {p.accent}; background: {p.checked}; }}
    QPushButton#SendButton {{ background: {p.action}; color: {p.action_text}; border-color: {p.action}; }}
    QPushButton#SendButton:disabled {{
        background: {p.send_disabled_bg}; color: {p.send_disabled_text}; border-color: {p.disabled_border};
    }}
    QCheckBox {{ spacing: 16px; font-weight: 600; }}
    QLabel#ConsentText {{ font-weight: 600; }}
    QCheckBox::indicator {{ width: 48px; height: 48px; }}
    QLabel#TileTitle {{ font-size: {px(30, scale)}px; font-weight: 700; color: {p.accent}; background: transparent; }}
    QLabel#ScreenTitle {{ font-size: {px(40, scale)}px; font-weight: 700; color: {p.text}; }}
    QLabel#AttractTitle {{ font-size: 72px; font-weight: 700; color: {p.accent}; }}
    QLabel#AttractInvite {{ font-size: 44px; color: {p.text}; }}
    QLabel#AttractSub {{ font-size: 30px; color: {p.muted}; }}
    QLabel#Position {{ font-size: {px(26, scale)}px; color: {p.muted}; }}
    QLabel#Disclaimer {{ font-size: {px(20, scale)}px; color: {p.muted}; }}
    QLabel#Notice {{ background: {p.notice_bg}; color: {p.notice_text}; border-radius: 10px; padding: 10px 16px; }}
    QLabel#Success {{ background: {p.success_bg}; color: {p.success_text}; border-radius: 10px; padding: 10px 16px; }}
    QTextBrowser {{ background: {p.surface}; border: none; border-radius: 16px; padding: 16px 24px; }}
    #StatusStrip {{ background: {p.surface}; border-top: 2px solid {p.border}; }}
    QLabel#StatusText {{ font-size: {px(22, scale)}px; color: {p.text}; }}
    QFrame#IdleOverlay {{ background: {p.overlay}; }}
    QFrame#IdleCard {{ border: 2px solid {p.border}; }}
    QFrame#IdleCard {{ background: {p.surface}; border-radius: 24px; }}
    QLabel#IdleTitle {{ font-size: {px(44, scale)}px; font-weight: 700; }}
    QLabel#IdleCount {{ font-size: {px(72, scale)}px; font-weight: 700; color: {p.accent}; }}
    QScrollBar:vertical {{ width: 22px; background: {p.background}; }}
    QScrollBar::handle:vertical {{ background: {p.border}; border-radius: 10px; min-height: 60px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0px; border: none; }}
    QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
    """


def document_style_sheet(palette: Palette = DEFAULT_PALETTE) -> str:
    """CSS for the section pages inside the text browser (Qt's rich-text subset)."""
    return f"""
    h1, h2, h3 {{ color: {palette.accent}; }}
    p, li {{ line-height: 140%; }}
    a {{ color: {palette.accent}; text-decoration: underline; }}
    """
