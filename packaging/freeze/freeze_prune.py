"""What the frozen build leaves out of what PyInstaller's hooks collect.

The hooks for PySide6 and Babel collect every plugin, Qt translation and CLDR locale; the kiosk uses a few
Qt plugins, Qt's catalogs for its own languages and the locale data of those languages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import PurePosixPath

# Qt plugins the kiosk loads, by plugin type; every other type and file is dropped. Why each is kept:
KEPT_QT_PLUGINS: dict[str, set[str]] = {
    # cage (Wayland) on the kiosk, X11 for staff previews, offscreen for `check`/`screenshot`/tests
    "platforms": {"libqwayland", "libqxcb", "libqoffscreen", "qwindows", "qoffscreen"},
    "wayland-shell-integration": {"libxdg-shell"},
    "wayland-graphics-integration-client": {"libqt-plugin-wayland-egl", "libshm-emulation-server"},
    "xcbglintegrations": {"libqxcb-glx-integration", "libqxcb-egl-integration"},
    # compose keeps dead keys working on a service keyboard (the on-screen keyboard is the kiosk's own)
    "platforminputcontexts": {"libcomposeplatforminputcontextplugin"},
    # icons are SVG; content images may be .png (built in), .jpg, .svg or .webp
    "iconengines": {"libqsvgicon", "qsvgicon"},
    "imageformats": {"libqsvg", "libqjpeg", "libqwebp", "qsvg", "qjpeg", "qwebp"},
    # Read aloud: speech-dispatcher on a kiosk, the mock engine in tests
    "texttospeech": {"libqtexttospeech_speechd", "libqtexttospeech_mock", "qtexttospeech_sapi",
                     "qtexttospeech_winrt", "qtexttospeech_mock"},
    # HTTPS delivery and bundle downloads; reachability through NetworkManager
    "tls": {"libqopensslbackend", "libqcertonlybackend", "qopensslbackend", "qschannelbackend",
            "qcertonlybackend"},
    "networkinformation": {"libqnetworkmanager", "qnetworklistmanager"},
    # Windows only: the native widget style the stylesheet draws on
    "styles": {"qmodernwindowsstyle"},
}

# Shared libraries left to the system: the Debian package depends on the package named beside each
# (packaging/debian/control.in), so the build machine's copies, and the libraries only they need, stay out.
SYSTEM_LIBRARIES: dict[str, str] = {
    # QtMultimedia (linked by QtTextToSpeech) plays through PulseAudio; libsndfile and its audio codecs come
    # only with PulseAudio's own library and are never used by the kiosk.
    "libpulse": "libpulse0", "libpulsecommon": "libpulse0", "libsndfile": "libpulse0", "libFLAC": "libpulse0",
    "libvorbis": "libpulse0", "libvorbisenc": "libpulse0", "libogg": "libpulse0", "libopus": "libpulse0",
    "libmpg123": "libpulse0", "libmp3lame": "libpulse0", "libasyncns": "libpulse0",
    # QtDBus; libdbus pulls libsystemd, which pulls libgcrypt, lz4 and libcap
    "libdbus-1": "libdbus-1-3", "libsystemd": "libsystemd0", "libgcrypt": "libsystemd0",
    "libgpg-error": "libsystemd0", "liblz4": "libsystemd0", "libcap": "libsystemd0",
    # Read aloud's speech-dispatcher plugin
    "libspeechd": "libspeechd2",
    # QtNetwork links GSSAPI (Negotiate authentication) whether or not a proxy asks for it
    "libgssapi_krb5": "libgssapi-krb5-2", "libkrb5": "libgssapi-krb5-2", "libk5crypto": "libgssapi-krb5-2",
    "libkrb5support": "libgssapi-krb5-2", "libcom_err": "libgssapi-krb5-2", "libkeyutils": "libgssapi-krb5-2",
    # Only Python's readline module needs these, and the kiosk has no interactive prompt (excluded in build.spec)
    "libreadline": "", "libtinfo": "",
}

_RELEASE_SUFFIX = re.compile(r"-[0-9][0-9.]*$")  # libpulsecommon-16.1.so


def left_to_system(dest: str) -> bool:
    """Whether a collected binary is one of ``SYSTEM_LIBRARIES`` (a top-level library of the build)."""
    path = PurePosixPath(dest.replace(os.sep, "/"))
    if len(path.parts) != 1 or ".so" not in path.name:
        return False
    base = path.name.split(".so", 1)[0]
    return base in SYSTEM_LIBRARIES or _RELEASE_SUFFIX.sub("", base) in SYSTEM_LIBRARIES


_QT_TRANSLATION = re.compile(r"^(?P<base>[a-z_]+?)_(?P<lang>[a-z]{2,3})(?:_[A-Za-z]+)?\.qm$")


def _qt_part(dest: str) -> PurePosixPath | None:
    """The path below ``PySide6/Qt/`` of a collected file, or None for anything else."""
    parts = PurePosixPath(dest.replace(os.sep, "/")).parts
    if len(parts) > 2 and parts[0] == "PySide6" and parts[1] == "Qt":  # Linux and macOS wheels
        return PurePosixPath(*parts[2:])
    if len(parts) > 2 and parts[0] == "PySide6" and parts[1] in {"plugins", "translations"}:  # Windows wheels
        return PurePosixPath(*parts[1:])
    return None


def keep_qt_file(dest: str, languages: Iterable[str]) -> bool:
    """Whether a collected file under ``PySide6/Qt`` belongs in the build (files elsewhere are kept)."""
    inner = _qt_part(dest)
    if inner is None:
        return True
    if inner.parts[0] == "plugins" and len(inner.parts) >= 3:
        plugin_type = "/".join(inner.parts[1:-1])
        return PurePosixPath(inner.name).stem in KEPT_QT_PLUGINS.get(plugin_type, set())
    if inner.parts[0] == "translations":
        match = _QT_TRANSLATION.match(inner.name)
        # qtbase only: the kiosk installs no other Qt catalog
        return bool(match) and match["base"] == "qtbase" and match["lang"] in set(languages)
    return True


def babel_locales_needed(languages: Iterable[str]) -> set[str]:
    """Locale data files Babel reads for the kiosk's languages, found by loading them the kiosk's way."""
    from babel import Locale, localedata

    loaded: set[str] = {"root"}
    original = localedata.load

    def recording_load(name, merge_inherited=True):
        loaded.add(os.path.basename(str(name)))
        return original(name, merge_inherited)

    localedata.load = recording_load
    localedata._cache.clear()  # a cached locale would not be recorded
    try:
        for code in languages:
            _ = Locale.parse(code).territories  # the first lookup loads the locale and its parents
    finally:
        localedata.load = original
    return loaded


def keep_babel_file(dest: str, locales: set[str]) -> bool:
    """Whether a collected file belongs in the build: Babel's locale data only for ``locales``."""
    path = PurePosixPath(dest.replace(os.sep, "/"))
    if path.parts[:2] != ("babel", "locale-data"):
        return True
    return path.suffix != ".dat" or path.stem in locales


def restrict_qt_hooks(languages: Iterable[str]) -> None:
    """Make PyInstaller's Qt hooks collect only the plugins and translations ``keep_qt_file`` keeps.

    Filtering at the source matters: a plugin dropped after the analysis would leave behind the libraries
    it pulled in (QtPdf for the PDF image format, GTK for the GTK theme, FFmpeg for multimedia).
    """
    from PyInstaller.utils.hooks.qt import QtLibraryInfo

    languages = list(languages)
    collect_plugins = QtLibraryInfo.collect_plugins
    collect_module = QtLibraryInfo.collect_module

    def kept(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(src, dest) for src, dest in entries
                if keep_qt_file(f"{dest}/{os.path.basename(src)}", languages)]

    def restricted_plugins(self, plugin_type):
        return kept(collect_plugins(self, plugin_type))

    def restricted_module(self, module_name):
        hiddenimports, binaries, datas = collect_module(self, module_name)
        return hiddenimports, kept(binaries), kept(datas)

    def no_qml(self):
        # The kiosk loads no QML; a hook that reaches QtQml would otherwise collect Qt's whole QML tree.
        return [], []

    QtLibraryInfo.collect_plugins = restricted_plugins
    QtLibraryInfo.collect_module = restricted_module
    QtLibraryInfo.collect_qtqml_files = no_qml
