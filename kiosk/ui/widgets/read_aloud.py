"""Read aloud, Pause / Resume and Stop: the buttons only, the voice itself is a service."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget

from kiosk import paths
from kiosk.i18n import _
from kiosk.ui.widgets.tinted_icon import ICON_PROPERTY


class ReadAloudControls(QWidget):
    readRequested = Signal()
    pauseRequested = Signal()
    resumeRequested = Signal()
    stopRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReadAloud")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        # Icons beside the words: the controls are recognisable to a visitor who cannot read this script.
        self.read_button = self._button("ReadAloudButton", self.readRequested, "speaker.svg")
        self.pause_button = self._button("PauseReadingButton", self._pause_or_resume, "pause.svg")
        self.stop_button = self._button("StopReadingButton", self.stopRequested, "stop.svg")
        for button in (self.read_button, self.pause_button, self.stop_button):
            layout.addWidget(button)
        self._state = "idle"
        self._icons: dict[str, QIcon] = {}
        self.set_state("idle")

    def set_icons(self, icons: dict[str, QIcon]) -> None:
        """Icons in the theme's colours, by file name (the pause button swaps between two)."""
        self._icons = dict(icons)
        for button in (self.read_button, self.pause_button, self.stop_button):
            name = button.property(ICON_PROPERTY)
            if name in icons:
                button.setIcon(icons[name])

    def _button(self, name: str, slot, icon: str) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setIcon(QIcon(str(paths.icons_dir() / icon)))
        button.setIconSize(QSize(32, 32))
        button.setProperty(ICON_PROPERTY, icon)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        button.clicked.connect(slot)
        return button

    @property
    def state(self) -> str:
        return self._state

    def set_state(self, state: str) -> None:
        """``idle``, ``speaking`` or ``paused`` (the voice's state)."""
        self._state = state
        self.read_button.setVisible(state == "idle")
        self.pause_button.setVisible(state != "idle")
        self.stop_button.setVisible(state != "idle")
        self.retranslate()

    def set_offer(self, offer: str) -> None:
        """``ready`` (pressable), ``pending`` (the voice is starting: shown, not pressable) or ``none``
        (hidden: no voice in this language, or none at all)."""
        self.setVisible(offer != "none")
        self.read_button.setEnabled(offer == "ready")

    def _pause_or_resume(self) -> None:
        (self.resumeRequested if self._state == "paused" else self.pauseRequested).emit()

    def retranslate(self) -> None:
        self.read_button.setText(_("Read aloud"))
        self.read_button.setAccessibleName(_("Read aloud"))
        self.read_button.setAccessibleDescription(_("Reads this text aloud, sentence by sentence"))
        paused = self._state == "paused"
        self.pause_button.setText(_("Resume") if paused else _("Pause"))
        icon = "play.svg" if paused else "pause.svg"
        if self.pause_button.property(ICON_PROPERTY) != icon:
            self.pause_button.setProperty(ICON_PROPERTY, icon)
            self.pause_button.setIcon(self._icons.get(icon) or QIcon(str(paths.icons_dir() / icon)))
        self.pause_button.setAccessibleName(_("Resume reading") if paused else _("Pause reading"))
        self.pause_button.setAccessibleDescription(_("Continue where the reading stopped") if paused
                                                   else _("Stop for a moment; continue later"))
        self.stop_button.setText(_("Stop"))
        self.stop_button.setAccessibleName(_("Stop reading"))
        self.stop_button.setAccessibleDescription(_("Stop reading aloud"))
