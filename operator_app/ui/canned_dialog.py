"""Canned replies (``cannedDialog``): list, search, create, edit and delete them.

Team replies (shared) are edited only by supervisors and admins; the server says 403 to others and
the dialog says why. Without the server the list is the saved copy and edits wait for it.
"""

from __future__ import annotations

import logging

from pydantic import ValidationError
from PySide6.QtCore import QItemSelection, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.canned import CannedReply, CannedReplyInput
from operator_app.errors import ApiError
from operator_app.store.canned_model import CannedRepliesModel, CannedRole
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.canned_popup import CannedItemDelegate
from operator_app.ui.confirm import confirm

log = logging.getLogger(__name__)


class CannedDialog(QDialog):
    """Objects: ``cannedSearch``, ``cannedList``, ``cannedShortcut``, ``cannedTitle``, ``cannedText``,
    ``cannedShared``, ``cannedNew``, ``cannedSave``, ``cannedDelete``, ``cannedMessage``."""

    def __init__(
        self, library: CannedRepliesModel, *, may_share: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cannedDialog")
        self.setWindowTitle(self.tr("Canned replies"))
        self.library = library
        self.may_share = may_share
        self.editing: CannedReply | None = None
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(library)
        self.proxy.setFilterRole(CannedRole.SEARCH_TEXT)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.search = QLineEdit(self)
        self.search.setObjectName("cannedSearch")
        self.search.setPlaceholderText(self.tr("Search shortcut, title or text"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.list = QListView(self)
        self.list.setObjectName("cannedList")
        self.list.setModel(self.proxy)
        self.list.setItemDelegate(CannedItemDelegate(self.list))
        self.list.selectionModel().selectionChanged.connect(self._selected)
        self.new_button = QPushButton(self.tr("New"), self)
        self.new_button.setObjectName("cannedNew")
        self.new_button.clicked.connect(self.new_reply)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.setObjectName("cannedDelete")
        self.delete_button.clicked.connect(self.delete_reply)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.list, 1)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.new_button)
        left_buttons.addWidget(self.delete_button)
        left_buttons.addStretch(1)
        left_layout.addLayout(left_buttons)

        self.shortcut = QLineEdit(self)
        self.shortcut.setObjectName("cannedShortcut")
        self.shortcut.setPlaceholderText(self.tr("e.g. thanks"))
        self.title = QLineEdit(self)
        self.title.setObjectName("cannedTitle")
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("cannedText")
        self.text.setTabChangesFocus(True)
        self.shared = QCheckBox(self.tr("Team reply (everyone can use it)"), self)
        self.shared.setObjectName("cannedShared")
        if not may_share:
            self.shared.setEnabled(False)
            self.shared.setToolTip(self.tr("Only supervisors and admins create or change team replies."))
        placeholders = QLabel(
            self.tr(
                "Placeholders: {visitor.name}, {visitor.email}, {agent.name}, {page.url}. "
                "A fallback follows a bar: {visitor.name|customer}."
            ),
            self,
        )
        placeholders.setObjectName("cannedPlaceholders")
        placeholders.setTextFormat(Qt.TextFormat.PlainText)
        placeholders.setWordWrap(True)
        placeholders.setStyleSheet("color: #6b7280;")
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("cannedSave")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.message = QLabel(self)
        self.message.setObjectName("cannedMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        right = QWidget(self)
        form = QFormLayout(right)
        form.setContentsMargins(8, 0, 0, 0)
        form.addRow(self.tr("Shortcut (#)"), self.shortcut)
        form.addRow(self.tr("Title"), self.title)
        form.addRow(self.tr("Text"), self.text)
        form.addRow("", self.shared)
        form.addRow("", placeholders)
        save_row = QHBoxLayout()
        save_row.addWidget(self.message, 1)
        save_row.addWidget(self.save_button)
        form.addRow(save_row)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([300, 480])
        self.source = QLabel(self)
        self.source.setObjectName("cannedSource")
        self.source.setTextFormat(Qt.TextFormat.PlainText)
        self.source.setStyleSheet("color: #92400e;")
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.source, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.setStyleSheet(
            'QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"] '
            "{ background: #f3f4f6; color: #4b5563; }"
        )
        self.resize(860, 540)
        library.source_changed.connect(self._source_changed)
        self._source_changed(library.source)
        self.new_reply()

    # --- state ------------------------------------------------------------------------------

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #b91c1c;")
        self.message.setText(text)

    def _notice(self, text: str) -> None:
        self.message.setStyleSheet("color: #166534;")
        self.message.setText(text)

    def _source_changed(self, source: str) -> None:
        offline = source != "server"
        self.source.setText(
            self.tr("Offline: showing the saved copy. Changes need the server.") if offline else ""
        )

    def _selected(self, *args: QItemSelection) -> None:
        rows = self.list.selectionModel().selectedRows()
        if not rows:
            return
        source_row = self.proxy.mapToSource(rows[0]).row()
        reply = self.library.reply_at(source_row)
        if reply is not None:
            self._edit(reply)

    def select(self, canned_id: str) -> None:
        row = self.library.row_of(canned_id)
        if row >= 0:
            self.list.setCurrentIndex(self.proxy.mapFromSource(self.library.index(row, 0)))

    def _edit(self, reply: CannedReply | None) -> None:
        self.editing = reply
        self.shortcut.setText(reply.shortcut if reply else "")
        self.title.setText(reply.title if reply else "")
        self.text.setPlainText(reply.text if reply else "")
        team = reply is not None and reply.owner_id is None
        self.shared.setChecked(team)
        locked = team and not self.may_share
        for widget in (self.shortcut, self.title, self.text):
            widget.setReadOnly(locked)
            widget.style().unpolish(widget)  # the read-only look comes from the style sheet
            widget.style().polish(widget)
        self.save_button.setEnabled(not locked)
        self.delete_button.setEnabled(reply is not None and not locked)
        self.message.setStyleSheet("color: #6b7280;")
        self.message.setText(
            self.tr("A team reply: only supervisors and admins can change it.") if locked else ""
        )

    def new_reply(self) -> None:
        self.list.clearSelection()
        self._edit(None)
        self.shortcut.setFocus()

    # --- edits ------------------------------------------------------------------------------

    def _input(self) -> CannedReplyInput | None:
        try:
            return CannedReplyInput(
                shortcut=self.shortcut.text().strip().lstrip("#"),
                title=self.title.text().strip(),
                text=self.text.toPlainText().strip(),
                shared=self.shared.isChecked(),
            )
        except ValidationError as exc:
            fields = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            if "shortcut" in fields:
                self.show_error(self.tr("The shortcut is 1 to 40 letters, digits, - or _, without spaces."))
            else:
                self.show_error(self.tr("Fill in a title and a text."))
            return None

    def _refusal(self, exc: ApiError) -> str | None:
        """The server's refusals this dialog explains itself; None for any other failure."""
        if exc.status == 403:
            return self.tr("Only supervisors and admins may create or change team replies.")
        if exc.status == 404:
            return self.tr("This canned reply no longer exists.")
        if exc.status == 409:
            return self.tr("Another canned reply already uses this shortcut.")
        return None

    def _refused(self, what: str, exc: ApiError) -> bool:
        """Show a refusal inline; False when `exc` is not one (the caller re-raises it)."""
        text = self._refusal(exc)
        if text is None:
            return False
        log.warning("canned reply %s refused: %r", what, exc)
        self.show_error(text)
        return True

    @async_slot()
    @reports_errors
    async def save(self) -> None:
        body = self._input()
        if body is None:
            return
        editing = self.editing
        try:
            with disabled(self.save_button, self.new_button, self.delete_button):
                if editing is None:
                    saved = await self.library.create(body)
                else:
                    saved = await self.library.update(editing.canned_id, body)
        except ApiError as exc:
            if not self._refused("save", exc):
                raise
            return
        self.select(saved.canned_id)
        if self.editing is None or self.editing.canned_id != saved.canned_id:
            self._edit(saved)
        self._notice(self.tr("Saved."))

    @async_slot()
    async def delete_reply(self) -> None:
        reply = self.editing
        if reply is None:
            return
        asked = await confirm(
            self,
            self.tr("Delete canned reply"),
            self.tr("Delete #%1?").replace("%1", reply.shortcut),
            self.tr("Delete"),
            name="cannedDeleteConfirm",
            default_to_cancel=True,
        )
        if not asked:
            return
        await self.delete_now(reply)

    @reports_errors
    async def delete_now(self, reply: CannedReply) -> None:
        try:
            with disabled(self.save_button, self.new_button, self.delete_button):
                await self.library.delete(reply.canned_id)
        except ApiError as exc:
            if not self._refused("delete", exc):
                raise
            return
        self.new_reply()
        self._notice(self.tr("Deleted."))
