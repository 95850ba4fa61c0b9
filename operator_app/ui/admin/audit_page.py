"""The audit log tab (``adminAuditPage``): every admin change, newest first, with who, what, on which
target and the values before and after.

Objects: ``auditTable``, ``auditRefreshButton``, ``auditMoreButton`` (older entries, by ``before_id``),
``auditDetails`` (the selected entry's full before and after, read-only), ``auditMessage``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.supervision import AuditEntry
from operator_app.store.admin_service import AdminService
from operator_app.ui.admin.audit_model import AuditModel, details_text
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.admin.temporary_password import plain_label
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.refusal import refusal_text

log = logging.getLogger(__name__)
PAGE_SIZE = 100


class AuditPage(AdminPage):
    """`page_size` entries a load; More asks for the next older page."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.setObjectName("adminAuditPage")
        self.page_size = PAGE_SIZE
        self.model = AuditModel(self)

        self.refresh_button = QPushButton(self.tr("&Reload"), self)
        self.refresh_button.setObjectName("auditRefreshButton")
        self.refresh_button.clicked.connect(self.refresh)
        self.more_button = QPushButton(self.tr("&Older entries"), self)
        self.more_button.setObjectName("auditMoreButton")
        self.more_button.clicked.connect(self.load_more)
        self.more_button.setEnabled(False)
        self.message = plain_label("", self, "auditMessage")
        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        top.addWidget(self.more_button)
        top.addWidget(self.refresh_button)

        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AuditModel.Column.CHANGE, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("auditDetails")
        self.details.setReadOnly(True)
        self.details.setPlaceholderText(self.tr("Select an entry to see everything it changed."))
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setSizes([420, 140])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.state_label)

    def title(self) -> str:
        return self.tr("Audit log")

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #b91c1c;")
        self.message.setText(text)

    # --- loading --------------------------------------------------------------------------------

    @reports_errors(on_error="show_failed")
    async def reload(self) -> None:
        self.show_loading()
        self.message.clear()
        results: tuple[Any, ...] = await asyncio.gather(
            self.service.audit(limit=self.page_size),
            self.service.list_agents(),
            self.service.list_groups(),
            self.service.list_sites(),
            return_exceptions=True,
        )
        entries = results[0]
        if isinstance(entries, BaseException):
            self.show_failed(entries)
            self.more_button.setEnabled(False)
            return
        names: dict[str, str] = {}
        for result, id_field in zip(results[1:], ("agent_id", "group_id", "site_id"), strict=True):
            if isinstance(result, BaseException):  # names are a nicety: ids stand in for them
                log.info("audit page: no names from %s: %r", id_field, result)
                continue
            names.update((getattr(item, id_field), item.name) for item in result)
        self.model.set_entries(entries, names)
        self.details.clear()
        if entries:
            self.show_ready()
        else:
            self.show_empty(self.tr("No changes have been recorded yet."))
        self.more_button.setEnabled(len(entries) >= self.page_size)

    @async_slot()
    async def refresh(self) -> None:
        with disabled(self.refresh_button):
            await self.reload()

    def show_refusal(self, error: BaseException) -> None:
        self.show_error(refusal_text(error))

    @async_slot()
    @reports_errors(on_error="show_refusal")
    async def load_more(self) -> None:
        oldest = self.model.oldest_id()
        if oldest is None:
            return
        with disabled(self.more_button, self.refresh_button):
            older = await self.service.audit(limit=self.page_size, before_id=oldest)
        added = self.model.append(older)
        if len(older) < self.page_size or added == 0:
            self.more_button.setEnabled(False)
            self.message.setStyleSheet("color: #4b5563;")
            self.message.setText(self.tr("These are all the entries."))

    def _selected(self, *args: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        entry: AuditEntry | None = self.model.entry_at(rows[0].row()) if rows else None
        self.details.setPlainText(details_text(entry) if entry else "")
