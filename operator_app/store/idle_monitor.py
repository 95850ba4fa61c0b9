"""Notices when the operator stops using the app: keyboard and mouse input anywhere in it.

An event filter on the application records the last input; a timer compares it with the idle limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, SignalInstance

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleMonitor(QObject):
    """Signals: ``idle()`` once input stopped for `idle_after` seconds; ``active()`` on the next input.

    `idle_after` None switches it off. `clock` is injectable (monotonic seconds) for tests.
    """

    idle = Signal()
    active = Signal()

    def __init__(
        self,
        idle_after: float | None,
        parent: QObject | None = None,
        *,
        check_ms: int = 1000,
        clock: Callable[[], float] = time.monotonic,
        watch_from: SignalInstance | None = None,
    ) -> None:
        super().__init__(parent)
        self.idle_after = idle_after
        self.clock = clock
        self.is_idle = False
        self.last_input = clock()
        self._timer = QTimer(self)
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        # The filter sees every event of every object: installed on the event loop's next pass (or when
        # `watch_from` fires: a window's first frame), it stays out of the building and first drawing of
        # the window. No input arrives before then.
        if watch_from is not None:
            watch_from.connect(self._watch_input)
        else:
            QTimer.singleShot(0, self, self._watch_input)

    def _watch_input(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._timer.isActive():  # not stopped or paused meanwhile
            app.installEventFilter(self)

    def stop(self) -> None:
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def pause(self) -> None:
        """Stop watching input while a web engine lives (a video call's, a page preview's): the
        operator is busy, and PySide crashes wrapping some of QtWebEngine's internal objects for an
        application filter. Each pause is ended by a `resume`; watching starts again after the last."""
        self._pauses = getattr(self, "_pauses", 0) + 1
        self.stop()
        self.input_seen()

    def resume(self) -> None:
        self._pauses = max(0, getattr(self, "_pauses", 0) - 1)
        if self._pauses:
            return
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
            app.installEventFilter(self)
        self.input_seen()
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.input_seen()
        return False

    def input_seen(self) -> None:
        self.last_input = self.clock()
        if self.is_idle:
            self.is_idle = False
            self.active.emit()

    def check(self) -> None:
        if self.is_idle or self.idle_after is None:
            return
        if self.clock() - self.last_input >= self.idle_after:
            self.is_idle = True
            self.idle.emit()
