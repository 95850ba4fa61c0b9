"""A previous chat of a visitor, read-only (``pastChatDialog``): loaded from the chat's events.

The transcript is plain text in a read-only `QPlainTextEdit`: nothing a visitor wrote becomes markup.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from chat_protocol import AuthorKind, ChatState
from chat_protocol.models import AnyEvent, ChatStateEvent, MessageEvent, NoteEvent, RatingEvent
from operator_app.store.attachment_kinds import human_size
from operator_app.store.visitors_service import VisitorsService
from operator_app.ui.async_tools import reports_errors


class PastChatDialog(QDialog):
    """Objects: ``pastChatStatus``, ``pastChatText``."""

    def __init__(
        self, service: VisitorsService, chat_id: str, visitor: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pastChatDialog")
        self.setWindowTitle(self.tr("Chat with %1").replace("%1", visitor))
        self.service = service
        self.chat_id = chat_id
        self.visitor = visitor
        self.loading: asyncio.Task[None] | None = None
        self.status = QLabel(self)
        self.status.setObjectName("pastChatStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("pastChatText")
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(520, 480)

    def open_and_load(self) -> None:
        self.show()
        self.loading = asyncio.ensure_future(self.load())

    def show_error(self, text: str) -> None:
        """Why the chat could not be loaded, in place of the transcript."""
        self.status.setText(text)

    @reports_errors
    async def load(self) -> None:
        self.status.setText(self.tr("Loading the chat\u2026"))
        _, events = await self.service.transcript(self.chat_id)
        lines = [line for event in events if (line := self._line(event))]
        self.status.setText("" if lines else self.tr("This chat has no messages."))
        self.text.setPlainText("\n".join(lines))

    def _line(self, event: AnyEvent) -> str:
        when = event.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        author = self.visitor if event.author.kind == AuthorKind.VISITOR else event.author.name
        if isinstance(event, MessageEvent) and event.attachment is not None and not event.text:
            file = event.attachment
            shown = self.tr("File: %1 (%2)").replace("%2", human_size(file.size)).replace("%1", file.name)
            return f"[{when}] {author}: {shown}"
        if isinstance(event, MessageEvent):
            return f"[{when}] {author}: {event.text}"
        if isinstance(event, NoteEvent):
            return f"[{when}] {author} " + self.tr("(internal note)") + f": {event.text}"
        if isinstance(event, RatingEvent):
            rating = self.tr("good") if event.rating == "good" else self.tr("bad")
            return (
                f"[{when}] "
                + self.tr("Rated %1").replace("%1", rating)
                + (f": {event.comment}" if event.comment else "")
            )
        if isinstance(event, ChatStateEvent) and event.state == ChatState.CLOSED:
            return f"[{when}] " + self.tr("The chat was closed.")
        if isinstance(event, ChatStateEvent) and event.state == ChatState.TAKEN and event.agent is not None:
            return f"[{when}] " + self.tr("%1 took the chat.").replace("%1", event.agent.name)
        return ""
