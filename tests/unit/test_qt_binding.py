"""The Qt binding itself: a release that mishandles references would crash the app after hours."""

from __future__ import annotations

import gc
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QFont, QTextLayout  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel  # noqa: E402


def test_void_calls_keep_none_alive(qapp: QApplication) -> None:
    """PySide6 6.12.0 on Python 3.11 dropped a reference to None on every void call, so a busy
    transcript aborted the process ("deallocating None") after a few thousand repaints."""
    label = QLabel()
    layout = QTextLayout("hello world", QFont())
    # Garbage left by earlier tests, collected in the middle of the loop, would free references to
    # None that have nothing to do with the binding.
    gc.collect()
    gc.disable()
    try:
        before = sys.getrefcount(None)
        for _ in range(2000):
            label.setText("x")
            layout.beginLayout()
            line = layout.createLine()
            line.setLineWidth(100)
            line.setPosition(QPointF(0, 0))
            layout.endLayout()
        after = sys.getrefcount(None)
    finally:
        gc.enable()
    assert after >= before - 10
