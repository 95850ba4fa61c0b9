"""A visitor's data on request, in the visitor panel, for admins only: ``visitorDataExport`` ("Export
data…") saves everything held about the visitor as a JSON file (`FileExporter`: a save dialog, an
atomic write); ``visitorDelete`` ("Delete visitor…") deletes it all after a confirmation
(``visitorDeleteConfirm``) in which the server's refusal stays (the visitor is on the website or
chatting). Both are audited on the server. ``visitorDataMessage`` says where the file went or why an
export failed.

Signals: ``deleted(visitor_id)`` once the server deleted the visitor.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from operator_app.store.traffic_text import visitor_label
from operator_app.store.visitors_service import VisitorsService
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.confirm import confirm
from operator_app.ui.file_export import FileExporter, file_stem

if TYPE_CHECKING:
    from chat_protocol.archive import VisitorDeleted
    from chat_protocol.traffic import VisitorProfile


class VisitorDataRow(QWidget):
    deleted = Signal(str)

    def __init__(self, service: VisitorsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visitorDataRow")
        self.service = service
        self.profile: VisitorProfile | None = None
        self.exporter = FileExporter(self)
        self.export_button = QPushButton(self.tr("Export data\u2026"), self)
        self.export_button.setObjectName("visitorDataExport")
        self.export_button.setToolTip(self.tr("Save everything held about this visitor as a JSON file"))
        self.export_button.clicked.connect(self.export)
        self.delete_button = QPushButton(self.tr("Delete visitor\u2026"), self)
        self.delete_button.setObjectName("visitorDelete")
        self.delete_button.setToolTip(self.tr("Delete this visitor with their chats and history"))
        self.delete_button.clicked.connect(self.delete)
        self.message = QLabel(self)
        self.message.setObjectName("visitorDataMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.hide()
        self.exporter.notice.connect(lambda text: self._say(text, error=False))
        self.exporter.error.connect(lambda text: self._say(text, error=True))
        self.exporter.busy_changed.connect(lambda busy: self.export_button.setEnabled(not busy))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(self.export_button)
        row.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.setVisible(service.is_admin())

    def show_profile(self, profile: VisitorProfile) -> None:
        self.profile = profile
        self.message.hide()
        self.setVisible(self.service.is_admin())

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b91c1c;" if error else "color: #166534;")
        self.message.show()

    def show_error(self, text: str) -> None:
        self._say(text, error=True)

    @async_slot()
    async def export(self) -> None:
        profile = self.profile
        if profile is None:
            return
        visitor_id = profile.visitor_id
        prefix = self.tr("visitor")
        name = (
            file_stem(prefix, visitor_label(profile.name, profile.number), date.today().isoformat()) + ".json"
        )
        await self.exporter.export(
            self.tr("Export the visitor's data"),
            name,
            self.tr("JSON files (*.json)"),
            lambda: self.service.visitor_data(visitor_id),
        )

    @async_slot()
    @reports_errors
    async def delete(self) -> None:
        profile = self.profile
        if profile is None:
            return
        visitor_id = profile.visitor_id
        done: list[VisitorDeleted] = []

        async def remove() -> None:
            done.append(await self.service.delete_visitor(visitor_id))

        text = self.tr(
            "Delete %1 and everything held about them: their chats with notes and tags, visits, "
            "pages viewed and offline messages? This cannot be undone. The deletion is logged."
        ).replace("%1", visitor_label(profile.name, profile.number))
        with disabled(self.delete_button):
            confirmed = await confirm(
                self,
                self.tr("Delete visitor"),
                text,
                self.tr("Delete"),
                name="visitorDeleteConfirm",
                action=remove,
                default_to_cancel=True,
            )
        if confirmed and done:
            self.deleted.emit(visitor_id)
