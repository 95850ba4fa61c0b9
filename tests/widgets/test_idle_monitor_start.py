"""The idle monitor watches input from the event loop's first pass after it is made (not while the
window is being built), unless it was stopped or paused before that pass."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from operator_app.store.idle_monitor import IdleMonitor


def _move(widget: QWidget) -> None:
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(2, 2),
        QPointF(2, 2),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def _monitor(qtbot: QtBot) -> tuple[IdleMonitor, QWidget, list[float]]:
    widget = QWidget()
    qtbot.addWidget(widget)
    ticks = [100.0]
    monitor = IdleMonitor(60, widget, clock=lambda: ticks[0])
    return monitor, widget, ticks


def test_input_is_watched_once_the_loop_has_run(qtbot: QtBot) -> None:
    monitor, widget, ticks = _monitor(qtbot)
    ticks[0] = 200.0
    qtbot.wait(10)  # the loop's next pass installs the filter
    _move(widget)
    assert monitor.last_input == 200.0


def test_a_monitor_stopped_before_the_loop_runs_never_watches(qtbot: QtBot) -> None:
    monitor, widget, ticks = _monitor(qtbot)
    monitor.stop()
    ticks[0] = 200.0
    qtbot.wait(10)
    _move(widget)
    assert monitor.last_input == 100.0


def test_a_monitor_paused_then_resumed_before_the_loop_runs_watches(qtbot: QtBot) -> None:
    monitor, widget, ticks = _monitor(qtbot)
    monitor.pause()
    monitor.resume()
    qtbot.wait(10)
    ticks[0] = 300.0
    _move(widget)
    assert monitor.last_input == 300.0
    monitor.stop()
    ticks[0] = 400.0
    _move(widget)
    assert monitor.last_input == 300.0  # one filter only: stop removed it
