"""Admin page: the team's shared canned replies (``#shortcut`` replies everyone can use).

Objects: ``adminRepliesPage``, ``adminRepliesList``, ``adminReplyShortcut``, ``adminReplyTitle``,
``adminReplyText``, ``adminReplyNew``, ``adminReplySave``, ``adminReplyDelete``,
``adminReplyDeleteConfirm`` (asks before deleting) and ``adminRepliesMessage``.

Personal replies are not shown here. After a change the app's own library (`set_library`) reloads so
the `#` popup offers the new text at once.
"""

from __future__ import annotations

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QListView, QPlainTextEdit, QVBoxLayout, QWidget

from chat_protocol.canned import CannedReply, CannedReplyInput
from operator_app.errors import ApiError
from operator_app.store.admin_service import AdminService
from operator_app.store.canned_model import CannedRepliesModel
from operator_app.store.team_replies_model import TeamRepliesModel
from operator_app.ui.admin.master_detail import MasterDetailPage, Question


class RepliesPage(MasterDetailPage[CannedReply, CannedReplyInput]):
    """List on the left, the editor on the right."""

    delete_default_to_cancel = True

    def __init__(self, service: AdminService, parent: QWidget | None = None) -> None:
        super().__init__(service, "adminRepliesMessage", parent)
        self.setObjectName("adminRepliesPage")
        self.library: CannedRepliesModel | None = None
        self.model = TeamRepliesModel(self)

        self.view = self.list = QListView(self)
        self.list.setObjectName("adminRepliesList")
        self.list.setModel(self.model)
        self.follow_selection()
        self.new_button = self.button("adminReplyNew", self.tr("&New"), self.new_item)
        self.delete_button = self.button("adminReplyDelete", self.tr("&Delete"), self.delete)

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
        self.save_button = self.button("adminReplySave", self.tr("&Save"), self.save)
        right = QWidget(self)
        form = QFormLayout(right)
        form.setContentsMargins(8, 0, 0, 0)
        form.addRow(self.tr("S&hortcut (#)"), self.shortcut)
        form.addRow(self.tr("&Title"), self.title_edit)
        form.addRow(self.tr("Te&xt"), self.text)
        form.addRow("", hint)
        form.addRow(self.save_row())

        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addWidget(self.split(self.master_pane(), right, [300, 520]), 1)
        self.edit(None)

    def title(self) -> str:
        return self.tr("Team replies")

    def set_library(self, library: CannedRepliesModel | None) -> None:
        """The app's canned-reply library, reloaded after every change made here."""
        self.library = library

    # --- the items ------------------------------------------------------------------------------

    def item_id(self, item: CannedReply) -> str:
        return item.canned_id

    def item_at(self, row: int) -> CannedReply | None:
        return self.model.reply(row)

    def row_of(self, item_id: str) -> int:
        return self.model.row_of(item_id)

    async def fetch(self) -> list[CannedReply]:
        return await self.service.list_canned()

    def show_items(self, items: list[CannedReply]) -> None:
        self.model.set_replies(items)  # only the team's replies

    def empty_text(self) -> str:
        return self.tr("No team replies yet. Write one and save it.")

    # --- the form -------------------------------------------------------------------------------

    def fill_form(self, item: CannedReply | None) -> None:
        self.shortcut.setText(item.shortcut if item else "")
        self.title_edit.setText(item.title if item else "")
        self.text.setPlainText(item.text if item else "")

    def first_field(self) -> QWidget:
        return self.shortcut

    def form_body(self) -> CannedReplyInput | None:
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

    def refusal(self, error: BaseException) -> str:
        if isinstance(error, ApiError) and error.status == 409:
            return self.tr("Another canned reply already uses this shortcut.")
        return super().refusal(error)

    async def store(self, item: CannedReply | None, body: CannedReplyInput) -> CannedReply:
        return await self.service.save_team_reply(item.canned_id if item else None, body)

    async def show_saved(self, saved: CannedReply) -> None:
        self.editing = saved
        await self._reload_all()
        self.select(saved.canned_id)
        self.edit(saved)

    def saved_text(self, saved: CannedReply) -> str:
        return self.tr("Saved #%1.").replace("%1", saved.shortcut)

    # --- deleting -------------------------------------------------------------------------------

    def delete_question(self, item: CannedReply) -> Question:
        return Question(
            self.tr("Delete team reply"),
            self.tr("Delete #%1 for the whole team?").replace("%1", item.shortcut),
            self.tr("&Delete"),
            "adminReplyDeleteConfirm",
        )

    async def remove(self, item: CannedReply) -> None:
        await self.service.delete_canned(item.canned_id)

    async def show_deleted(self, item: CannedReply) -> None:
        self.editing = None
        await self._reload_all()
        self.new_item()

    def deleted_text(self, item: CannedReply) -> str:
        return self.tr("Deleted #%1.").replace("%1", item.shortcut)

    async def _reload_all(self) -> None:
        """Reload the list and let the app's own library follow."""
        await self.reload()
        if self.library is not None:
            await self.library.refresh_quietly()
