"""A bare PySide6 window: the baseline the kiosk's startup is compared with."""

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(f"first_frame_s: {time.time() - float(os.environ['KIOSK_BENCH_T0']):.4f}", flush=True)
            QApplication.instance().quit()
        return False


app = QApplication(sys.argv[:1])
label = QLabel("Hello")
watcher = FirstPaint()
label.installEventFilter(watcher)
label.resize(1920, 1080)
label.show()
app.exec()
