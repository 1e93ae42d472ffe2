"""``kiosk preview DIR``: the kiosk in a window on a content folder being edited.

Saving a file reloads what is on screen (same screen, same section, same scroll position) and re-runs the
bundle validator, whose problems show in an overlay, so staff see a change and its mistakes at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer

from kiosk.app import Kiosk, build_kiosk
from kiosk.bundle.validate import validate_bundle
from kiosk.config import Config
from kiosk.session.navigator import Screen
from kiosk.ui.validation_overlay import ValidationOverlay

SETTLE_MS = 300  # editors save in several steps (temporary file, rename); react once they are done


class Preview(QObject):
    def __init__(self, config: Config, folder: Path) -> None:
        # Staff read and edit at their own pace: no idle reset back to the attract screen.
        config = config.with_overrides(session__idle_timeout_seconds=24 * 3600)
        self.kiosk: Kiosk = build_kiosk(config, folder, kiosk_mode=False)
        super().__init__(self.kiosk.window)
        self.folder = folder
        self.overlay = ValidationOverlay(self.kiosk.window)
        self._watcher = QFileSystemWatcher(self)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.reload)
        self._watcher.fileChanged.connect(self._changed)
        self._watcher.directoryChanged.connect(self._changed)
        self.kiosk.translator.languageChanged.connect(lambda _code: self.overlay.retranslate())
        self._watch_everything()
        self.validate()

    def _watch_everything(self) -> None:
        """Every folder and file, again after each change: editors replace files, new ones appear."""
        watched = set(self._watcher.files()) | set(self._watcher.directories())
        wanted = {str(self.folder)} | {str(path) for path in self.folder.rglob("*")
                                       if not any(part.startswith(".") for part in path.relative_to(self.folder).parts)}
        fresh = sorted(wanted - watched)
        if fresh:
            self._watcher.addPaths(fresh)

    def _changed(self, _path: str) -> None:
        self._settle.start()

    def reload(self) -> None:
        kiosk = self.kiosk
        fraction = kiosk.reader.scroll_fraction() if kiosk.navigator.screen is Screen.READER else 0.0
        kiosk.reload_content(self.folder)
        if kiosk.navigator.screen is Screen.READER:
            kiosk.reader.set_scroll_fraction(fraction)
        self._watch_everything()
        self.validate()

    def validate(self) -> list[str]:
        found = validate_bundle(self.folder, self.kiosk.translator.enabled)
        # Errors first: they stop a bundle from being built; warnings (unreviewed, stale) come after.
        problems = [str(problem) for problem in sorted(found, key=lambda problem: not problem.is_error)]
        self.overlay.show_problems(problems)
        return problems

    def show(self) -> None:
        self.kiosk.show()
        self.kiosk.navigator.home()
