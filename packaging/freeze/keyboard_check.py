"""dystonia-kiosk-keyboard-check: does the on-screen keyboard load from this build on this machine?

Shipped beside the kiosk in the frozen folder (sharing its Qt, plugins and QML), it focuses a text field
with QT_IM_MODULE=qtvirtualkeyboard and waits for the keyboard's panel to appear. Exit 0 when it does;
1 with the Qt messages when the plugin or its QML modules could not be loaded.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    from PySide6.QtCore import QElapsedTimer, qInstallMessageHandler
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QLineEdit

    messages: list[str] = []
    qInstallMessageHandler(lambda _mode, _context, message: messages.append(message))
    app = QApplication(sys.argv)
    field = QLineEdit()
    field.resize(400, 40)
    field.show()
    field.activateWindow()
    field.setFocus()
    method = QGuiApplication.inputMethod()
    clock = QElapsedTimer()
    clock.start()
    # The panel is built from QML the first time it is shown; a loaded keyboard shows within a second.
    while not method.isVisible() and clock.elapsed() < 10_000:
        app.processEvents()  # the field must hold the focus before the keyboard is asked for
        method.show()
    panels = [window for window in QGuiApplication.allWindows()
              if window.metaObject().className() == "QtVirtualKeyboard::InputView"]
    print(f"input method: {os.environ['QT_IM_MODULE']}; keyboard panel: {'shown' if panels else 'missing'}; "
          f"visible: {method.isVisible()}")
    if panels and method.isVisible():
        return 0
    for message in messages:
        print(f"qt: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
