"""Invite a visitor on the site to chat (``inviteDialog``): free text or a canned reply, then send.

Placeholders of a canned reply are filled for this visitor (`chat_protocol.canned.expand`). A
refusal (``already_invited``, ``not_found``) stays in the dialog in the user's language. When the
visitor answers, the chat arrives through the usual events as one of my chats.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.canned import CannedReply, expand
from chat_protocol.traffic import TrafficRow
from operator_app.store.traffic_text import visitor_label
from operator_app.store.visitors_service import VisitorsService
from operator_app.ui.async_tools import async_slot, disabled, reports_errors
from operator_app.ui.error_text import describe_invite_error

MAX_TEXT = 2000


class InviteDialog(QDialog):
    """Objects: ``inviteHeading``, ``inviteCanned``, ``inviteText``, ``inviteError``, ``inviteSend``.

    Signals: ``invited(visitor_id)`` after the server accepted the invitation."""

    invited = Signal(str)

    def __init__(
        self,
        service: VisitorsService,
        row: TrafficRow,
        replies: list[CannedReply],
        agent_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inviteDialog")
        self.setWindowTitle(self.tr("Invite to chat"))
        self.service = service
        self.row = row
        self.agent_name = agent_name
        self.replies = sorted(replies, key=lambda reply: reply.shortcut.casefold())
        # One id for this invitation: a retry after a lost answer is applied once.
        self.client_id = str(uuid.uuid4())

        heading = QLabel(
            self.tr("Invite %1 to chat. They see your message as a greeting on the page.").replace(
                "%1", visitor_label(row.name, row.number)
            ),
            self,
        )
        heading.setObjectName("inviteHeading")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        self.canned = QComboBox(self)
        self.canned.setObjectName("inviteCanned")
        self.canned.addItem(self.tr("Free text"), "")
        for reply in self.replies:
            self.canned.addItem(f"#{reply.shortcut} \u2014 {reply.title[:80]}", reply.canned_id)
        self.canned.currentIndexChanged.connect(self._canned_chosen)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("inviteText")
        self.text.setPlaceholderText(self.tr("Hello! Can I help you find something?"))
        self.text.setTabChangesFocus(True)
        self.text.textChanged.connect(self._text_changed)
        self.error = QLabel(self)
        self.error.setObjectName("inviteError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(self)
        self.send_button = QPushButton(self.tr("Send invitation"), self)
        self.send_button.setObjectName("inviteSend")
        self.send_button.setDefault(True)
        self.send_button.setEnabled(False)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        self.send_button.clicked.connect(self.send)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.canned)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(460, 300)

    def placeholder_values(self) -> dict[str, str | None]:
        row = self.row
        return {
            "visitor.name": " ".join(row.name.split()) or None,
            "visitor.email": row.email or None,
            "agent.name": self.agent_name or None,
            "page.url": row.page_url or None,
        }

    def choose_canned(self, canned_id: str) -> bool:
        at = self.canned.findData(canned_id)
        if at < 0:
            return False
        self.canned.setCurrentIndex(at)
        return True

    def _canned_chosen(self, index: int) -> None:
        canned_id = self.canned.itemData(index)
        reply = next((r for r in self.replies if r.canned_id == canned_id), None)
        if reply is not None:
            self.text.setPlainText(expand(reply.text, self.placeholder_values())[:MAX_TEXT])
            self.text.setFocus()

    def _text_changed(self) -> None:
        text = self.text.toPlainText()
        self.send_button.setEnabled(bool(text.strip()) and len(text) <= MAX_TEXT)

    def show_error(self, text: str, *, error: bool = True) -> None:
        self.error.setText(text)
        self.error.setStyleSheet("color: #b91c1c;" if error else "color: #6b7280;")
        self.error.setVisible(bool(text))

    @async_slot()
    @reports_errors(describe=describe_invite_error)
    async def send(self) -> None:
        text = self.text.toPlainText().strip()
        if not text or not self.send_button.isEnabled():
            return
        with disabled(self.send_button, self.text, self.canned):
            self.show_error(self.tr("Sending the invitation\u2026"), error=False)
            await self.service.invite(self.row.visitor_id, text, self.client_id)
        self.invited.emit(self.row.visitor_id)
        self.accept()
