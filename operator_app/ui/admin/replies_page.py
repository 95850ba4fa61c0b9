"""Admin page: the team's shared canned replies (``#shortcut`` replies everyone can use).

Objects: ``adminRepliesPage``, ``adminRepliesList``, ``adminReplyShortcut``, ``adminReplyTitle``,
``adminReplyText``, ``adminReplyNew``, ``adminReplySave``, ``adminReplyDelete``,
``adminReplyDeleteConfirm`` (asks before deleting) and ``adminRepliesMessage``.

Personal replies are not shown here. After a change the app's own library (`set_library`) reloads so
the `#` popup offers the new text at once.
"""

from __future__ import annotations

import logging

from pydantic import ValidationError
from PySide6.QtCore import QItemSelection, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.canned import CannedReply, CannedReplyInput
from operator_app.errors import ApiError
from operator_app.store.admin_service import AdminService
from operator_app.store.canned_model import CannedRepliesModel
from operator_app.store.team_replies_model import TeamRepliesModel
from operator_app.ui.admin.message_label import MessageLabel
from operator_app.ui.admin.page import AdminPage
from operator_app.ui.admin.refusal import refusal_text
from operator_app.ui.async_tools import async_slot, disabled, finished_future
from operator_app.ui.error_text import is_expected

log = logging.getLogger(__name__)


class RepliesPage(AdminPage):
    """List on the left, the editor on the right."""

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.setObjectName("adminRepliesPage")
        self.library: CannedRepliesModel | None = None
        self.editing: CannedReply | None = None
        self.model = TeamRepliesModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)

        self.list = QListView(self)
        self.list.setObjectName("adminRepliesList")
        self.list.setModel(self.proxy)
        self.list.selectionModel().selectionChanged.connect(self._selected)
        self.new_button = QPushButton(self.tr("&New"), self)
        self.new_button.setObjectName("adminReplyNew")
        self.new_button.clicked.connect(self.new_reply)
        self.delete_button = QPushButton(self.tr("&Delete"), self)
        self.delete_button.setObjectName("adminReplyDelete")
        self.delete_button.clicked.connect(self.ask_delete)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.new_button)
        left_buttons.addWidget(self.delete_button)
        left_buttons.addStretch(1)
        left_layout.addLayout(left_buttons)

        self.shortcut = QLineEdit(self)
        self.shortcut.setObjectName("adminReplyShortcut")
        self.shortcut.setPlaceholderText(self.tr("e.g. thanks"))
        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("adminReplyTitle")
        self.title_edit.setMaxLength(200)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("adminReplyText")
        self.text.setTabChangesFocus(True)
        hint = QLabel(
            self.tr(
                "Team replies can be used by everyone. Placeholders: {visitor.name}, {visitor.email}, "
                "{agent.name}, {page.url}; a fallback follows a bar: {visitor.name|customer}."
            ),
            self,
        )
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #6b7280;")
        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setObjectName("adminReplySave")
        self.save_button.clicked.connect(self.save)
        self.message = MessageLabel("adminRepliesMessage", self)
        right = QWidget(self)
        form = QFormLayout(right)
        form.setContentsMargins(8, 0, 0, 0)
        form.addRow(self.tr("S&hortcut (#)"), self.shortcut)
        form.addRow(self.tr("&Title"), self.title_edit)
        form.addRow(self.tr("Te&xt"), self.text)
        form.addRow("", hint)
        save_row = QHBoxLayout()
        save_row.addWidget(self.message, 1)
        save_row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        form.addRow(save_row)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([300, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addWidget(splitter, 1)
        self._edit(None)

    def title(self) -> str:
        return self.tr("Team replies")

    def set_library(self, library: CannedRepliesModel | None) -> None:
        """The app's canned-reply library, reloaded after every change made here."""
        self.library = library

    # --- loading ----------------------------------------------------------------------------

    async def reload(self) -> None:
        self.show_loading()
        api = self.service.api.api
        try:
            with disabled(self.new_button, self.save_button, self.delete_button):
                replies = await self.service.call(api.list_canned)
        except Exception as exc:
            self._log("load", exc)
            self.show_failed(exc)
            self._edit_buttons()
            return
        self._edit_buttons()
        self.model.set_replies(replies)
        if self.model.rowCount() == 0:
            self.show_empty(self.tr("No team replies yet. Write one and save it."))
        else:
            self.show_ready()
        if self.editing is not None and self.model.row_of(self.editing.canned_id) < 0:
            self._edit(None)

    # --- selection and the editor -----------------------------------------------------------

    def _selected(self, *args: QItemSelection) -> None:
        rows = self.list.selectionModel().selectedRows()
        if rows:
            reply = self.model.reply(self.proxy.mapToSource(rows[0]).row())
            if reply is not None:
                self._edit(reply)
                self.message.clear_message()

    def select(self, canned_id: str) -> None:
        row = self.model.row_of(canned_id)
        if row >= 0:
            self.list.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, 0)))

    def _edit(self, reply: CannedReply | None) -> None:
        self.editing = reply
        self.shortcut.setText(reply.shortcut if reply else "")
        self.title_edit.setText(reply.title if reply else "")
        self.text.setPlainText(reply.text if reply else "")
        self.delete_button.setEnabled(reply is not None)
        self.save_button.setEnabled(True)
        self.new_button.setEnabled(True)

    def new_reply(self) -> None:
        self.list.clearSelection()
        self._edit(None)
        self.message.clear_message()
        self.shortcut.setFocus()

    # --- saving and deleting ----------------------------------------------------------------

    def _input(self) -> CannedReplyInput | None:
        """The form as a team reply, or None with the reason shown inline."""
        try:
            return CannedReplyInput(
                shortcut=self.shortcut.text().strip().lstrip("#"),
                title=self.title_edit.text().strip(),
                text=self.text.toPlainText().strip(),
                shared=True,
            )
        except ValidationError as exc:
            fields = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            if "shortcut" in fields:
                self.message.error(
                    self.tr("The shortcut is 1 to 40 letters, digits, - or _, without spaces.")
                )
                self.shortcut.setFocus()
            else:
                self.message.error(self.tr("Fill in a title and a text."))
                (self.title_edit if "title" in fields else self.text).setFocus()
            return None

    def _refusal(self, exc: BaseException) -> str:
        if isinstance(exc, ApiError) and exc.status == 409:
            return self.tr("Another canned reply already uses this shortcut.")
        return refusal_text(exc)

    @async_slot()
    async def save(self) -> bool:
        body = self._input()
        if body is None:
            return False
        editing = self.editing
        api = self.service.api
        try:
            with disabled(self.save_button, self.new_button, self.delete_button):
                if editing is None:
                    saved = await self.service.call(api.create_canned, body)
                else:
                    saved = await self.service.call(api.api.update_canned, editing.canned_id, body)
        except Exception as exc:
            self._log("save", exc)
            self.message.error(self._refusal(exc))
            self._edit_buttons()
            return False
        self.editing = saved
        await self._after_change()
        self.select(saved.canned_id)
        self._edit(saved)
        self.message.notice(self.tr("Saved #%1.").replace("%1", saved.shortcut))
        return True

    @async_slot()
    async def ask_delete(self) -> None:
        """Ask first (not modal); Yes deletes the reply."""
        reply = self.editing
        if reply is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete team reply"),
            self.tr("Delete #%1 for the whole team?").replace("%1", reply.shortcut),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("adminReplyDeleteConfirm")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        answer = finished_future(box)
        box.show()
        result = await answer
        box.deleteLater()
        if result == QMessageBox.StandardButton.Yes.value:
            await self.delete_now(reply)

    async def delete_now(self, reply: CannedReply) -> bool:
        api = self.service.api.api
        try:
            with disabled(self.save_button, self.new_button, self.delete_button):
                await self.service.call(api.delete_canned, reply.canned_id)
        except Exception as exc:
            self._log("delete", exc)
            self.message.error(self._refusal(exc))
            self._edit_buttons()
            return False
        self.editing = None
        await self._after_change()
        self.new_reply()
        self.message.notice(self.tr("Deleted #%1.").replace("%1", reply.shortcut))
        return True

    def _edit_buttons(self) -> None:
        self.delete_button.setEnabled(self.editing is not None)

    async def _after_change(self) -> None:
        """Reload the list, tell the dialog, and let the app's own library follow."""
        self.changed.emit()
        await self.reload()
        if self.library is not None:
            await self.library.refresh_quietly()

    @staticmethod
    def _log(what: str, exc: BaseException) -> None:
        if is_expected(exc):
            log.warning("team reply %s failed: %r", what, exc)
        else:
            log.exception("team reply %s failed", what)
