"""Where the patient is: which screen, which section. Screens emit intents; this decides."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QObject, Signal


class Screen(StrEnum):
    ATTRACT = "attract"
    HOME = "home"
    READER = "reader"
    LANGUAGES = "languages"
    FORM = "form"
    DONE = "done"
    ADMIN = "admin"


class Navigator(QObject):
    # (screen name, section id or "") after every change
    changed = Signal(str, str)

    def __init__(self, section_ids: tuple[str, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sections = tuple(section_ids)
        self._screen = Screen.ATTRACT
        self._section = self._sections[0] if self._sections else ""
        self._previous: tuple[Screen, str] = (Screen.HOME, "")
        self._form_under_languages = False  # the language picker was opened from the form

    @property
    def screen(self) -> Screen:
        return self._screen

    @property
    def section(self) -> str:
        return self._section

    @property
    def section_ids(self) -> tuple[str, ...]:
        return self._sections

    @property
    def position(self) -> tuple[int, int]:
        """1-based index of the current section and the number of sections."""
        index = self._sections.index(self._section) + 1 if self._section in self._sections else 0
        return index, len(self._sections)

    def set_sections(self, section_ids: tuple[str, ...]) -> None:
        """New content arrived: keep the current section if it still exists, else go home."""
        self._sections = tuple(section_ids)
        if self._section not in self._sections:
            self._section = self._sections[0] if self._sections else ""
            if self._screen is Screen.READER:
                self._screen = Screen.HOME
        self.changed.emit(self._screen.value, self._section)

    def go(self, screen: Screen, section: str = "") -> None:
        if screen in (Screen.LANGUAGES, Screen.FORM, Screen.ADMIN) and self._screen not in (
            Screen.LANGUAGES, Screen.FORM, Screen.ADMIN
        ):
            self._previous = (self._screen, self._section)
        if screen is Screen.LANGUAGES:
            self._form_under_languages = self._screen is Screen.FORM
        if screen is Screen.READER:
            if section not in self._sections:
                raise KeyError(f"unknown section {section!r}")
            self._section = section
        self._screen = screen
        self.changed.emit(screen.value, self._section)

    def home(self) -> None:
        self.go(Screen.HOME)

    def attract(self) -> None:
        self._section = self._sections[0] if self._sections else ""
        self.go(Screen.ATTRACT)

    def open_section(self, section_id: str) -> None:
        self.go(Screen.READER, section_id)

    def step(self, delta: int) -> None:
        """Next (+1) or previous (-1) section; stops at the ends rather than wrapping."""
        index, count = self.position
        target = index - 1 + delta
        if 0 <= target < count:
            self.open_section(self._sections[target])

    def back(self) -> None:
        """Leave an overlay-like screen (languages, form) to where the patient was: the picker opened from
        the form goes back to the form."""
        if self._screen is Screen.LANGUAGES and self._form_under_languages:
            self._form_under_languages = False
            self.go(Screen.FORM)
            return
        screen, section = self._previous
        if screen is Screen.READER and section in self._sections:
            self.go(Screen.READER, section)
        else:
            self.go(Screen.HOME if screen is not Screen.ATTRACT else Screen.ATTRACT)
