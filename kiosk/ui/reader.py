"""Reading one section: title, body, previous / next, and where the patient is ("3 / 6")."""

from __future__ import annotations

from collections.abc import Callable
from html import escape as html_escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QResizeEvent, QTextCharFormat, QTextCursor, QTextOption
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import _
from kiosk.i18n.formatting import format_number
from kiosk.ui import theme
from kiosk.ui.announce import announce
from kiosk.ui.widgets.button_text import literal
from kiosk.ui.widgets.drag_scroll import enable_drag_scroll
from kiosk.ui.widgets.drag_scroll import set_reduce_motion as set_drag_reduce_motion
from kiosk.ui.widgets.flow_layout import FlowLayout
from kiosk.ui.widgets.read_aloud import ReadAloudControls
from kiosk.ui.widgets.safe_browser import SafeTextBrowser

BROWSER_MIN_HEIGHT = 120
# Fewer lines than this left for the text, and the notice above it moves into the text.
MIN_TEXT_LINES = 5


class ReaderScreen(QWidget):
    previousRequested = Signal()
    nextRequested = Signal()
    sectionRequested = Signal(str)

    def __init__(self, resolve_asset: Callable[[str], Path | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReaderScreen")
        layout = QVBoxLayout(self)
        # Narrower margins than other screens: on a 800 px portrait screen at the largest text the two page
        # buttons need the room.
        layout.setContentsMargins(32, 16, 32, 16)
        layout.setSpacing(12)
        self.title = QLabel(self)
        self.title.setObjectName("ScreenTitle")
        self.title.setWordWrap(True)
        self.notice = QLabel(self)
        self.notice.setObjectName("Notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.browser = SafeTextBrowser(resolve_asset, self)
        self.browser.sectionRequested.connect(self.sectionRequested)
        self.browser.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrow keys and Page Down scroll the text
        # Qt's bridge exposes the page as text without its links: a link reached with Tab is announced.
        self.browser.highlighted.connect(self._announce_link)
        # A few lines at least; less than Qt's own minimum, so the page fits a 768 px screen with a two-row bar.
        self.browser.setMinimumHeight(BROWSER_MIN_HEIGHT)
        enable_drag_scroll(self.browser)
        self.read_aloud = ReadAloudControls(self)
        self.read_aloud.hide()  # shown by the app when a voice exists for the page's language
        # The sections the page links to, again as full-size buttons: an inline link is a line of text tall,
        # too small a target for a shaking hand, and Qt shows screen readers no links inside a page.
        self.related = QWidget(self)
        self.related.setObjectName("RelatedTopics")
        self._related_layout = FlowLayout(self.related, spacing=12)
        self._related_layout.setContentsMargins(0, 0, 0, 0)
        self.related_label = QLabel(self.related)
        self.related_label.setObjectName("RelatedLabel")
        self.related_label.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeading)
        self._related_layout.addWidget(self.related_label)
        self.related_buttons: list[QPushButton] = []
        self.related.hide()
        self.disclaimer = QLabel(self)
        self.disclaimer.setObjectName("Disclaimer")
        self.disclaimer.setWordWrap(True)
        self.disclaimer.setAlignment(Qt.AlignmentFlag.AlignCenter)

        nav = QHBoxLayout()
        nav.setSpacing(12)
        self.previous_button = QPushButton(self)
        self.previous_button.setObjectName("PreviousButton")
        self.previous_button.clicked.connect(self.previousRequested)
        self.next_button = QPushButton(self)
        self.next_button.setObjectName("NextButton")
        self.next_button.clicked.connect(self.nextRequested)
        self.position = QLabel(self)
        self.position.setObjectName("Position")
        self.position.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The page buttons as wide as their labels at least; the position takes what is left between them.
        nav.addWidget(self.previous_button, 0)
        nav.addWidget(self.position, 1)
        nav.addWidget(self.next_button, 0)

        heading = QHBoxLayout()
        heading.setSpacing(24)
        heading.addWidget(self.title, 1)
        heading.addWidget(self.read_aloud, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(heading)
        layout.addWidget(self.notice)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.related)
        layout.addWidget(self.disclaimer)
        layout.addLayout(nav)
        self._index, self._count = 0, 0
        self._scale = 1.0
        self._rtl = False
        self._html = ""
        self._notice = ""
        self._notice_in_text = False
        self._language = "en"
        self._palette = theme.DEFAULT_PALETTE
        # Reading order: the text (and its links), then Read aloud beside the title, then the page buttons.
        self.setTabOrder(self.browser, self.read_aloud.read_button)
        self.setTabOrder(self.read_aloud.read_button, self.read_aloud.pause_button)
        self.setTabOrder(self.read_aloud.pause_button, self.read_aloud.stop_button)
        self.setTabOrder(self.read_aloud.stop_button, self.previous_button)
        self.setTabOrder(self.previous_button, self.next_button)
        self.retranslate()

    # --- content -------------------------------------------------------------------------------------
    def show_page(self, title: str, html: str, index: int, count: int, rtl: bool, notice: str = "",
                  language: str = "en") -> None:
        self._index, self._count, self._rtl = index, count, rtl
        self._language = language
        self.title.setText(title)
        self.setAccessibleName(title)
        self._notice = notice
        self.notice.setText(notice)
        # Where the previous page had its notice, this one has it too (the screen has not changed size).
        self._notice_in_text = self._notice_in_text and bool(notice)
        self.notice.setVisible(bool(notice) and not self._notice_in_text)
        self._html = html
        self.browser.setAccessibleName(title)
        document = self.browser.document()
        document.setDefaultStyleSheet(theme.document_style_sheet(self._palette, self._language))
        self._apply_document_font()
        option = document.defaultTextOption()
        # A QTextDocument takes each paragraph's direction from its first strong character, not from the
        # widget; Arabic and Persian pages must be right-to-left even when a paragraph starts with "DBS".
        option.setTextDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
        option.setAlignment(Qt.AlignmentFlag.AlignAbsolute | (
            Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft))
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        document.setDefaultTextOption(option)
        self._render()
        self.browser.verticalScrollBar().setValue(0)
        self._update_navigation()
        self._fit_room()

    def _render(self) -> None:
        page = f'<div dir="{"rtl" if self._rtl else "ltr"}">{self._html}</div>'
        if self._notice_in_text:
            # In the interface's language and direction, which a page shown in another language is not.
            direction = "rtl" if self.layoutDirection() == Qt.LayoutDirection.RightToLeft else "ltr"
            page = (f'<p dir="{direction}" style="background-color: {self._palette.notice_bg}; '
                    f'color: {self._palette.notice_text};">{html_escape(self._notice)}</p>{page}')
        self.browser.setHtml(page)

    def set_related(self, sections: list[tuple[str, str]]) -> None:
        """The sections this page links to, as (id, title): buttons below the text, in the page's order."""
        for button in self.related_buttons:
            self._related_layout.removeWidget(button)
            button.hide()  # at once: deleteLater waits for the event loop
            button.deleteLater()
        self.related_buttons = []
        previous: QWidget = self.browser
        for section_id, title in sections:
            button = QPushButton(literal(title), self.related)
            button.setObjectName("RelatedTopic")
            button.setAccessibleName(title)
            button.clicked.connect(lambda _checked=False, target=section_id: self.sectionRequested.emit(target))
            self._related_layout.addWidget(button)
            self.related_buttons.append(button)
            self.setTabOrder(previous, button)  # after the text, before Read aloud and the page buttons
            previous = button
        if self.related_buttons:
            self.setTabOrder(previous, self.read_aloud.read_button)
            # The label in line with the middle of the buttons, not with their top edge.
            self.related_label.setMinimumHeight(self.related_buttons[0].sizeHint().height())
        self._fit_room()

    def _fit_room(self) -> None:
        """Give the text the room: the notice and the Read more buttons yield to it on a short screen.

        At the largest text on a 720 px screen the notice above the text and the buttons below it would
        leave the text one line. The notice then becomes the page's first paragraph and scrolls with it;
        the buttons are shown only while the text keeps half the screen (the links in the text still work).
        """
        if self.width() <= 0:
            return
        spacing = self.layout().spacing()
        room = self.browser.height() + sum(widget.height() + spacing for widget in (self.notice, self.related)
                                           if widget.isVisible())
        if self._notice:
            notice_needed = self.notice.heightForWidth(self.width() - self._side_margins()) + spacing
            in_text = room - notice_needed < MIN_TEXT_LINES * self._line_height()
            if not in_text:
                room -= notice_needed
            if in_text != self._notice_in_text:
                fraction = self.scroll_fraction()
                self._notice_in_text = in_text
                self.notice.setVisible(not in_text)
                self._render()
                self.set_scroll_fraction(fraction)
        if not self.related_buttons:
            self.related.hide()
            return
        needed = self.related.heightForWidth(self.width() - self._side_margins())
        self.related.setVisible(room - needed - spacing >= self.height() // 2)

    def _side_margins(self) -> int:
        margins = self.layout().contentsMargins()
        return margins.left() + margins.right()

    def _line_height(self) -> int:
        # About one line of body text in any script (Latin at 140 %, Arabic at its font's own spacing).
        return round(theme.px(theme.BODY_PX, self._scale) * 1.4)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_room()

    def set_palette(self, palette: theme.Palette) -> None:
        """Page colours follow the theme; the page is laid out again in them where the patient was."""
        if palette == self._palette:
            return
        self._palette = palette
        if self._html:
            fraction = self.scroll_fraction()
            self.browser.document().setDefaultStyleSheet(theme.document_style_sheet(palette, self._language))
            self._render()
            self.set_scroll_fraction(fraction)

    def set_reduce_motion(self, reduce: bool) -> None:
        """Flicking the text stops at its ends instead of overshooting and springing back."""
        set_drag_reduce_motion(self.browser, reduce)

    def _announce_link(self, _url: object) -> None:
        selected = self.browser.textCursor().selectedText().strip()
        if selected and self.browser.hasFocus():  # reached by the keyboard (a touch selects nothing)
            announce(self.browser, _("Link: {text}").format(text=selected))

    # --- reading aloud -------------------------------------------------------------------------------
    def plain_text(self) -> str:
        """The page as the voice reads it (without a notice shown in the text), for ``highlight``."""
        return self.browser.document().toPlainText()[self._text_start():]

    def _text_start(self) -> int:
        # The notice, when it is the first paragraph, is not read: positions stay the page's own whichever
        # way the notice is shown, also when the text size changes while the page is being read.
        return self.browser.document().firstBlock().length() if self._notice_in_text else 0

    def highlight(self, start: int, end: int) -> None:
        """Mark the sentence being read without changing the document, and keep it in view."""
        offset = self._text_start()
        start, end = start + offset, end + offset
        cursor = QTextCursor(self.browser.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        mark = QTextEdit.ExtraSelection()
        mark.cursor = cursor
        text_format = QTextCharFormat()
        text_format.setBackground(QColor(self._palette.reading_bg))
        text_format.setForeground(QColor(self._palette.reading_text))
        mark.format = text_format
        self.browser.setExtraSelections([mark])
        start_cursor = QTextCursor(self.browser.document())
        start_cursor.setPosition(start)
        box = self.browser.cursorRect(start_cursor)
        viewport = self.browser.viewport().rect()
        if not viewport.adjusted(0, 0, 0, -box.height() * 3).contains(box.topLeft()):
            bar = self.browser.verticalScrollBar()
            bar.setValue(bar.value() + box.top() - viewport.height() // 4)

    def clear_highlight(self) -> None:
        self.browser.setExtraSelections([])

    def highlighted_range(self) -> tuple[int, int] | None:
        marks = self.browser.extraSelections()
        if not marks:
            return None
        offset = self._text_start()
        return marks[0].cursor.selectionStart() - offset, marks[0].cursor.selectionEnd() - offset

    def set_text_scale(self, scale: float) -> None:
        self._scale = scale
        self._apply_document_font()
        self._fit_room()

    def _apply_document_font(self) -> None:
        font = QFont(self.browser.font())
        font.setPixelSize(theme.px(theme.BODY_PX, self._scale))
        self.browser.document().setDefaultFont(font)

    def scroll_fraction(self) -> float:
        bar = self.browser.verticalScrollBar()
        return bar.value() / bar.maximum() if bar.maximum() > 0 else 0.0

    def set_scroll_fraction(self, fraction: float) -> None:
        bar = self.browser.verticalScrollBar()
        bar.setValue(round(fraction * bar.maximum()))

    # --- language ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.disclaimer.setText(_("This information does not replace a doctor's advice."))
        self.related_label.setText(_("Read more:"))
        self.read_aloud.retranslate()
        self.browser.setAccessibleDescription(_("The text of this topic; swipe or use the arrow keys to scroll"))
        self.previous_button.setAccessibleDescription(_("Open the topic before this one"))
        self.next_button.setAccessibleDescription(_("Open the topic after this one"))
        self._update_navigation()

    def _update_navigation(self) -> None:
        # Arrows point the way the pages turn: in a right-to-left language "next" is to the left.
        back_arrow, forward_arrow = ("→", "←") if self._rtl else ("←", "→")
        self.previous_button.setText(f"{back_arrow}  " + _("Previous"))
        self.next_button.setText(_("Next") + f"  {forward_arrow}")
        self.previous_button.setAccessibleName(_("Previous topic"))
        self.next_button.setAccessibleName(_("Next topic"))
        self.previous_button.setEnabled(self._index > 1)
        self.next_button.setEnabled(0 < self._index < self._count)
        # "3 / 6" in the patient's digits; the isolate keeps the numbers in order in right-to-left text.
        self.position.setText(_("{current} / {total}").format(
            current=format_number(self._index), total=format_number(self._count)))
        self.position.setAccessibleName(
            _("Topic {current} of {total}").format(current=self._index, total=self._count))
