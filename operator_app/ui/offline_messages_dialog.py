"""Offline messages (``offlineMessagesDialog``): what visitors left while nobody accepted chats.

They are answered by e-mail for now (tickets come later); the dialog says so and copies the address.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from operator_app.store.chat_session import ChatSession
from operator_app.store.offline_messages_model import OfflineMessagesModel
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.on_demand import bring_forward

log = logging.getLogger(__name__)


class OfflineMessagesDialog(QDialog):
    """Objects: ``offlineMessagesTable``, ``offlineMessageText``, ``copyEmailButton``,
    ``refreshOfflineButton``, ``offlineMessagesStatus``."""

    def __init__(self, session: ChatSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineMessagesDialog")
        self.setWindowTitle(self.tr("Offline messages"))
        self.session = session
        self.model = OfflineMessagesModel(self)
        self.loading: asyncio.Task[None] | None = None

        intro = QLabel(
            self.tr(
                "Visitors left these messages while nobody was accepting chats. Answer them by e-mail "
                "from your mail program; tickets for answering in the app will come in a later version."
            ),
            self,
        )
        intro.setObjectName("offlineMessagesIntro")
        intro.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setObjectName("offlineMessagesTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("offlineMessageText")
        self.text.setReadOnly(True)
        self.text.setPlaceholderText(self.tr("Choose a message to read it in full."))
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.text)
        splitter.setSizes([260, 140])

        self.status = QLabel(self)
        self.status.setObjectName("offlineMessagesStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.copy_button = QPushButton(self.tr("Copy e-mail address"), self)
        self.copy_button.setObjectName("copyEmailButton")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_email)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setObjectName("refreshOfflineButton")
        self.refresh_button.clicked.connect(self._refresh_clicked)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.refresh_button)
        row.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        layout.addLayout(row)
        self.resize(760, 520)

    def open_and_load(self) -> None:
        bring_forward(self)
        self.loading = asyncio.ensure_future(self.load())

    def show_error(self, text: str) -> None:
        self.status.setStyleSheet("color: #b91c1c;")
        self.status.setText(text)

    @reports_errors
    async def load(self) -> None:
        with disabled(self.refresh_button):
            self.status.setStyleSheet("color: #6b7280;")
            self.status.setText(self.tr("Loading\u2026"))
            messages = await self.session.offline_messages()
            self.model.set_messages(messages)
            if messages:
                self.status.setText(self.tr("Messages: %1").replace("%1", str(len(messages))))
            else:
                self.status.setText(self.tr("No offline messages."))
            self._selected()

    @async_slot()
    async def _refresh_clicked(self) -> None:
        await self.load()

    def _current(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _selected(self, *args: QItemSelection) -> None:
        message = self.model.message_at(self._current())
        self.copy_button.setEnabled(message is not None)
        if message is None:
            self.text.clear()
            return
        who = message.name or self.tr("(no name)")
        self.text.setPlainText(f"{who} <{message.email}>\n\n{message.text}")

    def copy_email(self) -> None:
        message = self.model.message_at(self._current())
        if message is not None:
            QGuiApplication.clipboard().setText(message.email)
            self.status.setStyleSheet("color: #6b7280;")
            self.status.setText(self.tr("Copied %1").replace("%1", message.email))
