"""Training mode in the main window: the Operator menu's checkable ``trainingAction`` (Ctrl+Shift+L)
and the ``trainingBanner`` beside my name in the top bar (and ``trainingStatus`` in the status bar),
shown while I am in training (scripted visitors only). Training starts in the app's language: the
scripted visitors speak it, and the banner says which.

A switch waits for the server; the action is disabled meanwhile, and a refusal (I hold chats of the
other kind) goes to the window's error line."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu

from operator_app.store.training_service import TrainingService
from operator_app.ui.async_tools import reports_errors
from operator_app.ui.qt_runtime import ui_language

BANNER_QSS = (
    "QLabel#trainingBanner { background: #f59e0b; color: #111827; font-weight: bold; padding: 3px 12px;"
    " margin-left: 12px; border-radius: 10px; }"
)


class TrainingMode(QObject):
    def __init__(
        self, window: QMainWindow, menu: QMenu, service: TrainingService, show_error: Callable[[str], None]
    ) -> None:
        super().__init__(window)
        self.window = window
        self.service = service
        self._show_error = show_error
        self._tasks: set[asyncio.Task[Any]] = set()
        self.action = QAction(self.tr("&Training mode"), window)
        self.action.setObjectName("trainingAction")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.setToolTip(self.tr("Practise on scripted visitors; real visitors are not sent to you"))
        self.action.triggered.connect(self._toggle)
        actions = menu.actions()
        if actions:
            menu.insertAction(actions[0], self.action)
            menu.insertSeparator(actions[0])
        else:
            menu.addAction(self.action)
        self.banner = QLabel(self.tr("Training"), window)
        self.banner.setObjectName("trainingBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setToolTip(self.tr("Training mode: these visitors are scripted, nothing is reported"))
        self.banner.setStyleSheet(BANNER_QSS)
        top_bar = getattr(window, "top_bar", None)
        spacer = getattr(top_bar, "spacer_action", None)
        # In a tool bar a widget is shown and hidden through its action.
        self.banner_action: QAction | None = None
        if top_bar is not None and spacer is not None:
            self.banner_action = top_bar.insertWidget(spacer, self.banner)
        else:
            window.statusBar().addPermanentWidget(self.banner)
        self.status_note = QLabel(self.tr("Training mode: scripted visitors only"), window)
        self.status_note.setObjectName("trainingStatus")
        self.status_note.setTextFormat(Qt.TextFormat.PlainText)
        self.status_note.setStyleSheet("color: #b45309; font-weight: bold;")
        window.statusBar().addPermanentWidget(self.status_note)
        service.training_changed.connect(self.show_mode)
        self.show_mode(service.training)

    def show_mode(self, training: bool) -> None:
        self.action.setChecked(training)
        if self.banner_action is not None:
            self.banner_action.setVisible(training)
        else:
            self.banner.setVisible(training)
        self.status_note.setVisible(training)
        language = self.service.language
        if language == "ja":
            self.banner.setText(self.tr("Training: Japanese"))
        elif language == "en":
            self.banner.setText(self.tr("Training: English"))
        else:
            self.banner.setText(self.tr("Training"))
        self.banner.setAccessibleName(self.banner.text() if training else "")

    def show_error(self, text: str) -> None:
        self._show_error(text)

    def _toggle(self, checked: bool = False) -> None:
        """The action's click: the switch runs in the loop (a kept task; errors reported by `switch`)."""
        task = asyncio.get_running_loop().create_task(self.switch(self.action.isChecked()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @reports_errors
    async def switch(self, wanted: bool) -> None:
        """Training mode on or off, as the server confirms it."""
        self.action.setEnabled(False)
        try:
            self.show_mode(self.service.training)  # until the server confirms
            await self.service.set_training(wanted, ui_language() if wanted else None)
        finally:
            self.action.setEnabled(True)
            self.show_mode(self.service.training)
