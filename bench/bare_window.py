"""The start-up floor: a bare PySide6 window importing the same Qt modules as deel-intake
(QtCore, QtGui, QtWidgets, QtNetwork), shown, then quit on the first event-loop turn."""

import sys

from PySide6 import QtNetwork  # noqa: F401 - the same Qt modules as the app
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("floor"))
window.show()


def ready() -> None:
    print("ready", flush=True)  # the benchmark times launch → this line, as for the app
    app.quit()


QTimer.singleShot(0, ready)
sys.exit(app.exec())
