"""Guards against a broken Qt binding, not our code: PySide6 6.12.0 on Python 3.11 released a
reference to None on every call of a void method, so a recruiter's long day of captures
ended in a hard abort. The app calls such methods thousands of times an hour."""

from __future__ import annotations

import gc
import sys

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_void_qt_methods_keep_nones_reference_count(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    edit, label = QLineEdit(host), QLabel(host)
    calls = [
        lambda: label.setText(""),
        lambda: label.setVisible(False),
        lambda: edit.setAccessibleDescription(""),
        lambda: edit.style().unpolish(edit),
        edit.clear,
    ]
    for call in calls:
        gc.collect()
        before = sys.getrefcount(None)
        for _ in range(2000):
            call()
        gc.collect()
        assert sys.getrefcount(None) >= before - 50, "the Qt binding leaks references to None"
