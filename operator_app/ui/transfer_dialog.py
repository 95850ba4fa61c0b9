"""Transfer a chat (``transferDialog``): choose an online colleague or a group, add a note, send.

Shown with `show()` (never `exec()`). A refusal (e.g. ``target_unavailable``) is shown with the
server's words and the chat stays mine; on success the dialog closes and the chat leaves my list.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chat_protocol import ErrorCode
from operator_app.errors import RealtimeError
from operator_app.store.chat_session import ChatSession
from operator_app.store.transfer_targets import TransferTargetsModel
from operator_app.ui.async_tools import async_slot, disabled, reports_errors

log = logging.getLogger(__name__)


class TransferDialog(QDialog):
    """Objects: ``transferTargets``, ``transferNote``, ``transferError``, ``transferSubmit``."""

    def __init__(
        self, session: ChatSession, chat_id: str, visitor: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("transferDialog")
        self.setWindowTitle(self.tr("Transfer chat"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.session = session
        self.chat_id = chat_id
        # One id per attempt at this transfer: a retry after a lost answer is applied once.
        self._client_id = str(uuid.uuid4())
        self.model = TransferTargetsModel(self)
        self.loading: asyncio.Task[None] | None = None

        heading = QLabel(self.tr("Transfer the chat with %1 to:").replace("%1", visitor), self)
        heading.setObjectName("transferHeading")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        self.targets = QListView(self)
        self.targets.setObjectName("transferTargets")
        self.targets.setModel(self.model)
        self.targets.setMinimumHeight(180)
        self.targets.setSpacing(3)
        self.targets.setAlternatingRowColors(False)
        self.targets.selectionModel().selectionChanged.connect(self._selection_changed)
        self.targets.doubleClicked.connect(lambda index: self.submit())
        hint = QLabel(
            self.tr("Greyed-out colleagues cannot take a chat now: the reason is shown beside their name."),
            self,
        )
        hint.setObjectName("transferHint")
        hint.setWordWrap(True)
        note_label = QLabel(self.tr("Note for the colleague (only operators see it):"), self)
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("transferNote")
        self.note.setPlaceholderText(self.tr("What should they know? (optional)"))
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(72)
        self.error = QLabel(self)
        self.error.setObjectName("transferError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b91c1c;")
        self.error.hide()

        buttons = QDialogButtonBox(self)
        self.submit_button = QPushButton(self.tr("Transfer"), self)
        self.submit_button.setObjectName("transferSubmit")
        self.submit_button.setEnabled(False)
        self.submit_button.setDefault(True)
        buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        self.submit_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.targets, 1)
        layout.addWidget(hint)
        layout.addWidget(note_label)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(480, 460)

    def open_and_load(self) -> None:
        """Show the dialog and load the colleagues and groups into it."""
        self.show()
        self.loading = asyncio.ensure_future(self.load())

    def show_error(self, text: str, *, error: bool = True) -> None:
        self.error.setText(text)
        self.error.setStyleSheet("color: #b91c1c;" if error else "color: #6b7280;")
        self.error.setVisible(bool(text))

    @reports_errors
    async def load(self) -> None:
        self.show_error(self.tr("Loading colleagues\u2026"), error=False)
        agents, groups = await asyncio.gather(self.session.agents(), self.session.groups())
        selected = self._selected_id()
        self.model.set_targets(agents, groups, self.session.store.agent_id)
        self.show_error("" if self.model.rowCount() else self.tr("There is nobody to transfer to."))
        row = self.model.row_of(selected) if selected else -1
        again = self.model.target_at(row)
        if again is not None and again.available:  # keep the choice when it is still possible
            self.targets.setCurrentIndex(self.model.index(row, 0))
        self._selection_changed()

    def _selected_id(self) -> str | None:
        index = self.targets.currentIndex()
        target = self.model.target_at(index.row()) if index.isValid() else None
        return target.target_id if target is not None else None

    def _selection_changed(self, *args: QItemSelection) -> None:
        index = self.targets.currentIndex()
        target = self.model.target_at(index.row()) if index.isValid() else None
        self.submit_button.setEnabled(target is not None and target.available)

    def select_target(self, target_id: str) -> bool:
        row = self.model.row_of(target_id)
        if row < 0:
            return False
        self.targets.setCurrentIndex(self.model.index(row, 0))
        return True

    @async_slot()
    @reports_errors
    async def submit(self) -> None:
        index = self.targets.currentIndex()
        target = self.model.target_at(index.row()) if index.isValid() else None
        if target is None or not target.available or not self.submit_button.isEnabled():
            return
        note = self.note.toPlainText().strip()
        refusal: str | None = None
        with disabled(self.submit_button, self.targets, self.note):
            self.show_error(self.tr("Transferring\u2026"), error=False)
            try:
                await self.session.transfer_chat(
                    self.chat_id,
                    self._client_id,
                    to_agent_id=target.target_id if target.kind == "agent" else None,
                    to_group_id=target.target_id if target.kind == "group" else None,
                    note=note,
                )
            except RealtimeError as exc:
                self._client_id = str(uuid.uuid4())  # refused: a new attempt is a new request
                if exc.code != ErrorCode.TARGET_UNAVAILABLE:
                    raise
                log.warning("transfer refused: %r", exc)
                refusal = self.tr("The transfer was refused: %1 The chat stays with you.").replace(
                    "%1", exc.message
                )
        if refusal is None:
            self.accept()
            return
        await self.load()  # their status changed: show it
        self.show_error(refusal)
        self._selection_changed()
