"""A bare PySide6 window: the baseline the kiosk's startup is compared with.

Without ``BENCH_BARE_BUTTON`` it prints the time to its first painted frame and quits (bench_startup.py).
With ``BENCH_BARE_BUTTON=x,y,w,h`` it is a full-screen window with one button there, that turns the window
red when tapped (and back at the next tap: a "next page" as cheap as it gets), and it runs until killed
(bench_responsiveness.py, bench_vs_chromium.py).
"""

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(f"first_frame_s: {time.time() - float(os.environ['KIOSK_BENCH_T0']):.4f}", flush=True)
            QApplication.instance().quit()
        return False


app = QApplication(sys.argv[:1])
button_rect = os.environ.get("BENCH_BARE_BUTTON")
if button_rect:
    window = QWidget()
    window.setStyleSheet("QWidget { background: #f4f1ea; } QPushButton { background: #1d5c8c; color: white; }")
    button = QPushButton("Start", window)
    button.setGeometry(*(int(part) for part in button_rect.split(",")))
    pages = ["QWidget { background: #c0392b; }", window.styleSheet()]
    button.clicked.connect(lambda: (window.setStyleSheet(pages[0]), pages.reverse()))
    window.showFullScreen()
else:
    label = QLabel("Hello")
    watcher = FirstPaint()
    label.installEventFilter(watcher)
    label.resize(1920, 1080)
    label.show()
app.exec()
