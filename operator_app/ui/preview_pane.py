"""The live page preview dock (``previewDock``) and the chat panel's "Watch page" button
(``watchPageButton``, for ``watchPageAction``: in the header's "More" menu when it does not fit).
The pane inside the dock (``previewWidget``, with QtWebEngine) is imported and built the first time
the operator watches a page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow

from operator_app.store.idle_monitor import IdleMonitor
from operator_app.store.preview_controller import PreviewController
from operator_app.tasks import BackgroundTasks
from operator_app.ui.on_demand import Lazy

if TYPE_CHECKING:
    from operator_app.ui.chat_panel import ChatPanel
    from operator_app.ui.preview.preview_widget import PreviewWidget

PREVIEW_WIDGET: Lazy[type[PreviewWidget]] = Lazy("operator_app.ui.preview.preview_widget:PreviewWidget")


class PreviewPane(QObject):
    """Signals: ``error(text)`` a sentence for the status bar."""

    error = Signal(str)

    def __init__(
        self,
        window: QMainWindow,
        chat_panel: ChatPanel,
        previews: PreviewController,
        idle_monitor: IdleMonitor,
    ) -> None:
        super().__init__(window)
        self.idle_monitor = idle_monitor
        self._resume_idle = QTimer(self)
        self._resume_idle.setSingleShot(True)
        self._resume_idle.setInterval(3000)
        self._resume_idle.timeout.connect(lambda: self.idle_monitor.resume())
        self.previews = previews
        self.chat_panel = chat_panel
        self._widget: PreviewWidget | None = None
        self._tasks = BackgroundTasks()
        self.dock = QDockWidget(self.tr("Visitor's page"), window)
        self.dock.setObjectName("previewDock")
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.action = QAction(self.tr("&Watch the visitor's page"), self)
        self.action.setObjectName("watchPageAction")
        self.action.triggered.connect(self._watch_clicked)
        self.button = chat_panel.header.add_button(
            self.tr("Watch page"),
            "watchPageButton",
            self.action,
            priority=6,
            before=chat_panel.push_page_button,
        )
        self.button.setToolTip(self.tr("See the visitor's page live; they may be asked first."))
        self.action.setToolTip(self.button.toolTip())
        chat_panel.chat_shown.connect(self._chat_shown)

    @property
    def widget(self) -> PreviewWidget:
        """The preview pane, built the first time it is asked for."""
        if self._widget is None:
            widget = PREVIEW_WIDGET.get()(self.previews, self.dock)
            self.dock.setWidget(widget)
            widget.wanted.connect(self._show_dock)
            widget.error.connect(self.error)
            widget.engine_alive.connect(self._engine_alive)
            self._widget = widget
        return self._widget

    def _show_dock(self, shown: bool) -> None:
        """The pane opens at about a third of the window, so the chat and the visitor panel keep room
        for their buttons (the operator may drag it wider, or float it)."""
        was_hidden = self.dock.isHidden()
        self.dock.setVisible(shown)
        window = self.dock.parentWidget()
        if shown and was_hidden and isinstance(window, QMainWindow) and not self.dock.isFloating():
            central = window.centralWidget()
            room = window.width() - (central.sizeHint().width() if central is not None else 0)
            width = max(360, min(window.width() // 3, room))
            window.resizeDocks([self.dock], [width], Qt.Orientation.Horizontal)

    def _engine_alive(self, alive: bool) -> None:
        """No idle watching while the preview's web engine lives, and a moment after (see `CallPane`)."""
        if alive:
            if self._resume_idle.isActive():
                self._resume_idle.stop()  # its pause goes on
            else:
                self.idle_monitor.pause()
        else:
            self._resume_idle.start()

    def _chat_shown(self, chat_id: str) -> None:
        self.chat_panel.header.set_wanted(self.button, bool(chat_id))

    def _watch_clicked(self) -> None:
        chat_id = self.chat_panel.chat_id
        if chat_id:
            self._tasks.spawn(self.widget.watch(chat_id), name="preview-watch")

    async def dispose(self) -> None:
        if self.previews.chat_id is not None:
            await self.previews.stop()
        await self._tasks.cancel_all()
        self._resume_idle.stop()
