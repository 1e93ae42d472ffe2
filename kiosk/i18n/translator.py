"""Switching the interface language at run time.

``Translator.set_language`` activates the gettext catalog that ``_`` reads, installs Qt's own catalog
(qtbase) so standard widgets speak the language too, and announces the change; every screen then
retranslates itself in place.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal

from kiosk.i18n import catalogs
from kiosk.i18n.languages import LanguageInfo, language_info


class Translator(QObject):
    languageChanged = Signal(str)

    def __init__(self, enabled: list[str], default: str, translations_dir: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if default not in enabled:
            raise ValueError(f"default language {default!r} is not among the enabled languages {enabled}")
        self.enabled = list(enabled)
        self.default = default
        self._translations_dir = translations_dir
        self._qt_translator: QTranslator | None = None
        self._language = ""
        self.set_language(default)

    @property
    def language(self) -> str:
        return self._language

    @property
    def info(self) -> LanguageInfo:
        return language_info(self._language)

    def languages(self) -> list[LanguageInfo]:
        return [language_info(code) for code in self.enabled]

    def load_catalog(self, code: str) -> None:
        """Read ``code``'s catalog now (it is kept), so switching to it later does not wait for it."""
        catalogs.load_catalog(code, self._translations_dir)

    def set_language(self, code: str) -> None:
        if code not in self.enabled:
            raise ValueError(f"language {code!r} is not enabled (enabled: {', '.join(self.enabled)})")
        if code == self._language:
            return
        catalogs.activate(code, self._translations_dir)
        self._install_qt_catalog(code)
        self._language = code
        QLocale.setDefault(QLocale(language_info(code).babel_locale))
        self.languageChanged.emit(code)

    def _install_qt_catalog(self, code: str) -> None:
        app = QCoreApplication.instance()
        if app is None:
            return
        if self._qt_translator is not None:
            app.removeTranslator(self._qt_translator)
            self._qt_translator = None
        translator = QTranslator(self)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{code}", folder):
            app.installTranslator(translator)
            self._qt_translator = translator
