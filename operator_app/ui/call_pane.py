"""The video call dock (``videoDock``) of the main window, shown only around a call.

The call pane inside it (``videoWidget``) is imported and built for the first call. No idle watching
while a call's web engine lives, and a moment after, while it winds down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow

from operator_app.settings import SettingsFile
from operator_app.store.call_controller import CallController
from operator_app.store.idle_monitor import IdleMonitor
from operator_app.ui.on_demand import Lazy

if TYPE_CHECKING:
    from operator_app.ui.video.video_widget import VideoWidget

VIDEO_WIDGET: Lazy[type[VideoWidget]] = Lazy("operator_app.ui.video.video_widget:VideoWidget")


class CallPane(QObject):
    """Signals: ``error(text)`` a sentence for the status bar."""

    error = Signal(str)

    def __init__(
        self, window: QMainWindow, calls: CallController, settings: SettingsFile, idle_monitor: IdleMonitor
    ) -> None:
        super().__init__(window)
        self.calls = calls
        self.settings = settings
        self.idle_monitor = idle_monitor
        self._widget: VideoWidget | None = None
        self.dock = QDockWidget(self.tr("Video call"), window)
        self.dock.setObjectName("videoDock")
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self._resume_idle = QTimer(self)
        self._resume_idle.setSingleShot(True)
        self._resume_idle.setInterval(3000)
        self._resume_idle.timeout.connect(lambda: self.idle_monitor.resume())

    @property
    def widget(self) -> VideoWidget:
        """The call pane, built the first time it is asked for."""
        if self._widget is None:
            widget = VIDEO_WIDGET.get()(self.calls, self.settings, self.dock)
            self.dock.setWidget(widget)
            widget.wanted.connect(self.dock.setVisible)
            widget.error.connect(self.error)
            widget.engine_alive.connect(self._engine_alive)
            self._widget = widget
        return self._widget

    def _engine_alive(self, alive: bool) -> None:
        if alive:
            if self._resume_idle.isActive():
                self._resume_idle.stop()  # its pause goes on (pauses and resumes are counted)
            else:
                self.idle_monitor.pause()
        else:
            self._resume_idle.start()

    async def dispose(self) -> None:
        if self._widget is not None:
            await self._widget.dispose()
        self._resume_idle.stop()
