"""Fitting the consultation form to any screen, applied by the form to itself in one call.

Its rows of choices (how to be contacted, who the request is for) wrap onto a second row instead of
widening the form past a narrow portrait screen, and the form's scroll area scrolls by dragging anywhere.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QPushButton, QScrollArea, QWidget

from kiosk.ui.widgets.flow_layout import FlowLayout
from kiosk.ui.widgets.scroll_page import fit_to_screen

CHOICE_BUTTON = "ChoiceButton"


def fit_form_to_screen(form: QWidget, scroll: QScrollArea) -> None:
    fit_to_screen(scroll)
    rows = {button.parentWidget() for button in form.findChildren(QPushButton, CHOICE_BUTTON)}
    for row in rows:
        if row is not None and not isinstance(row.layout(), FlowLayout):
            wrap_row(row)


def wrap_row(row: QWidget) -> None:
    """Replace a row's box layout by a wrapping one with the same buttons in the same order."""
    old = row.layout()
    spacing = old.spacing()
    widgets = []
    while old.count():
        item = old.takeAt(0)
        widgets.append(item.widget())
    shiboken6.delete(old)  # a widget holds one layout: the empty old one goes now, its buttons stay
    flow = FlowLayout(row, spacing=spacing, uniform=True)
    for widget in widgets:
        if widget is not None:
            flow.addWidget(widget)
