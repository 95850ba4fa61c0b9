"""The chosen ticket (``ticketPane``): its subject and requester, its actions (assignee, group, state,
spam, merge), its thread and the composer.

The thread (``ticketThread``) lists the visitor's messages, agents' replies with where their e-mail
is (sending, sent, failed with the reason), internal notes (marked and tinted), a chat's transcript,
and changes of state, assignee and group or merges as small lines. Attachments are listed with their
name and size and a "Save as…" button. Everything from outside is shown as plain text.

Objects: ``ticketSubject``, ``ticketMeta``, ``ticketAssign``, ``ticketGroupChoice``, ``ticketState``,
``ticketSpam``, ``ticketMerge``, ``ticketThread``, ``ticketPaneError``, ``ticketNothing``; each entry is
a ``ticketEntry`` frame with the property ``kind``, its mail state label ``ticketMailState``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from chat_protocol.enums import TicketState
from chat_protocol.tickets import TicketAttachment, TicketDetail, TicketEntry
from operator_app.store.attachment_kinds import human_size
from operator_app.store.ticket_model import (
    TicketThreadModel,
    change_text,
    requester_text,
    state_text,
)
from operator_app.store.tickets_service import TicketsService
from operator_app.ui.async_tools import async_slot, reports_errors
from operator_app.ui.confirm import confirm
from operator_app.ui.file_export import FileExporter
from operator_app.ui.ticket_composer import TicketComposer
from operator_app.ui.ticket_dialogs import ask_merge_number

CHANGES = ("state", "assignee", "group", "merge")
STYLES = {
    "visitor": "background: #ffffff; border: 1px solid #d1d5db; border-radius: 6px;",
    "reply": "background: #eff6ff; border: 1px solid #bfdbfe; border-radius: 6px;",
    "note": "background: #fef3c7; border: 1px dashed #d97706; border-radius: 6px;",
    "transcript": "background: #f3f4f6; border: 1px solid #d1d5db; border-radius: 6px;",
}


def plain_label(text: str, parent: QWidget, *, selectable: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet("border: none; background: transparent;")
    if selectable:
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
    return label


class TicketThreadPane(QWidget):
    """`open(ticket_id)` loads and shows a ticket; ``changed(detail)`` after the operator changed it."""

    changed = Signal(object)

    def __init__(self, service: TicketsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.model = TicketThreadModel(self)
        self.detail: TicketDetail | None = None
        self.ticket_id: str | None = None
        self.sending = False
        self.tasks: set[asyncio.Task[Any]] = set()
        self.exporter = FileExporter(self)
        self.exporter.notice.connect(lambda text: self._say(text, error=False))
        self.exporter.error.connect(lambda text: self._say(text, error=True))

        self.subject = plain_label("", self, selectable=True)
        self.subject.setObjectName("ticketSubject")
        font = self.subject.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.subject.setFont(font)
        self.meta = plain_label("", self, selectable=True)
        self.meta.setObjectName("ticketMeta")
        self.meta.setStyleSheet("color: #4b5563;")
        self.assign = self._combo("ticketAssign", self.tr("Assignee"))
        self.assign.activated.connect(lambda _i: self._change(assignee_id=self.assign.currentData()))
        self.group = self._combo("ticketGroupChoice", self.tr("Group"))
        self.group.activated.connect(lambda _i: self._change(group_id=self.group.currentData()))
        self.state = self._combo("ticketState", self.tr("State"))
        for state in (TicketState.OPEN, TicketState.PENDING, TicketState.SOLVED, TicketState.SPAM):
            self.state.addItem(state_text(state), state.value)
        self.state.activated.connect(lambda _i: self._change(state=TicketState(self.state.currentData())))
        self.spam_button = QPushButton(self.tr("Spa&m"), self)
        self.spam_button.setObjectName("ticketSpam")
        self.spam_button.setToolTip(self.tr("Mark the ticket and its visitor as spam"))
        self.spam_button.clicked.connect(self.mark_spam)
        self.merge_button = QPushButton(self.tr("Merge &into\u2026"), self)
        self.merge_button.setObjectName("ticketMerge")
        self.merge_button.setToolTip(self.tr("Merge this ticket into another one by its number"))
        self.merge_button.clicked.connect(self.merge)
        actions = QHBoxLayout()
        for label, combo in ((self.tr("&Assignee:"), self.assign), (self.tr("&Group:"), self.group)):
            caption = QLabel(label, self)
            caption.setBuddy(combo)
            actions.addWidget(caption)
            actions.addWidget(combo, 1)
        caption = QLabel(self.tr("S&tate:"), self)
        caption.setBuddy(self.state)
        actions.addWidget(caption)
        actions.addWidget(self.state)
        actions.addWidget(self.spam_button)
        actions.addWidget(self.merge_button)

        self.thread_box = QWidget(self)
        self.thread_box.setObjectName("ticketThread")
        self.thread_layout = QVBoxLayout(self.thread_box)
        self.thread_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.thread_box)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nothing = plain_label(self.tr("Choose a ticket to read it."), self)
        self.nothing.setObjectName("ticketNothing")
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.nothing.setStyleSheet("color: #6b7280; padding: 24px;")
        self.error = plain_label("", self)
        self.error.setObjectName("ticketPaneError")
        self.error.hide()
        self.composer = TicketComposer(self)
        self.composer.send.connect(self._send)

        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.subject)
        body.addWidget(self.meta)
        body.addLayout(actions)
        body.addWidget(self.scroll_area, 1)
        body.addWidget(self.composer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nothing, 1)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.error)
        self.body.hide()
        self.model.modelReset.connect(self._render)

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    def set_choices(self, agents: list[tuple[str, str]], groups: list[tuple[str, str]]) -> None:
        """The agents and groups to choose from (sorted by name)."""
        self.assign.clear()
        self.assign.addItem(self.tr("Unassigned"), "")
        self.assign.addItem(self.tr("Me"), self.service.my_id)
        for agent_id, name in agents:
            if agent_id != self.service.my_id:
                self.assign.addItem(name, agent_id)
        self.group.clear()
        self.group.addItem(self.tr("No group"), "")
        for group_id, name in groups:
            self.group.addItem(name, group_id)
        self.model.group_names = dict(groups)
        if self.detail is not None:
            self._show_actions(self.detail)

    # --- loading ----------------------------------------------------------------------------

    def open(self, ticket_id: str) -> asyncio.Task[Any]:
        self.ticket_id = ticket_id
        return self._spawn(self._load(ticket_id), "ticket-open")

    async def _load(self, ticket_id: str) -> None:
        detail = await self._fetch(ticket_id)
        if detail is not None and ticket_id == self.ticket_id:
            self.show_detail(detail)

    @reports_errors
    async def _fetch(self, ticket_id: str) -> TicketDetail:
        return await self.service.ticket(ticket_id)

    def show_detail(self, detail: TicketDetail) -> None:
        scrolled_down = (
            self._at_bottom()
            or self.detail is None
            or self.detail.ticket.ticket_id != detail.ticket.ticket_id
        )
        self.detail = detail
        self.ticket_id = detail.ticket.ticket_id
        self.error.hide()
        ticket = detail.ticket
        self.subject.setText(f"#{ticket.number} {' '.join(ticket.subject.split())}")
        requester = requester_text(ticket)
        if ticket.requester_email and ticket.requester_email != requester:
            requester = f"{requester} <{ticket.requester_email}>"
        self.meta.setText(
            " \u00b7 ".join(
                [state_text(ticket.state), requester, ticket.assignee_name or self.tr("Unassigned")]
            )
        )
        self._show_actions(detail)
        self.model.show(ticket, detail.entries)
        self.nothing.hide()
        self.body.show()
        if scrolled_down:
            bar = self.scroll_area.verticalScrollBar()
            bar.rangeChanged.connect(self._scroll_down_once)

    def _scroll_down_once(self, _low: int, high: int) -> None:
        bar = self.scroll_area.verticalScrollBar()
        bar.setValue(high)
        bar.rangeChanged.disconnect(self._scroll_down_once)

    def _at_bottom(self) -> bool:
        bar = self.scroll_area.verticalScrollBar()
        return bar.value() >= bar.maximum() - 8

    def _show_actions(self, detail: TicketDetail) -> None:
        ticket = detail.ticket
        self._select(self.assign, ticket.assignee_id or "", ticket.assignee_name)
        self._select(self.group, ticket.group_id or "", "")
        self._select(self.state, ticket.state.value, "")
        merged = ticket.merged_into is not None
        for widget in (self.assign, self.group, self.state, self.spam_button, self.merge_button):
            widget.setEnabled(not merged)
        self.spam_button.setEnabled(not merged and ticket.state != TicketState.SPAM)

    @staticmethod
    def _select(combo: QComboBox, value: str, name: str) -> None:
        index = combo.findData(value)
        if index < 0 and value:
            combo.addItem(name or value, value)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    def show_nothing(self) -> None:
        self.detail = None
        self.ticket_id = None
        self.model.show(None, [])
        self.body.hide()
        self.nothing.show()

    # --- the thread -------------------------------------------------------------------------

    def _render(self) -> None:
        layout = self.thread_layout
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for entry in self.model.entries:
            layout.addWidget(self._entry_widget(entry))
        if not self.model.entries and self.model.ticket is not None:
            layout.addWidget(plain_label(self.tr("Nothing in this ticket yet."), self.thread_box))

    def _entry_widget(self, entry: TicketEntry) -> QWidget:
        when = entry.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if entry.kind in CHANGES:
            line = plain_label(f"{change_text(entry, self.model.group_names)} \u00b7 {when}", self.thread_box)
            line.setObjectName("ticketEntry")
            line.setProperty("kind", entry.kind)
            line.setStyleSheet("color: #6b7280; font-size: 11px; border: none; padding: 2px 8px;")
            line.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            return line
        frame = QFrame(self.thread_box)
        frame.setObjectName("ticketEntry")
        frame.setProperty("kind", entry.kind)
        frame.setStyleSheet(f"QFrame#ticketEntry {{ {STYLES[entry.kind]} }}")
        box = QVBoxLayout(frame)
        box.setContentsMargins(10, 6, 10, 8)
        head = QHBoxLayout()
        who = {
            "visitor": entry.author_name or self.tr("Visitor"),
            "reply": entry.author_name,
            "note": self.tr("Internal note by %1").replace("%1", entry.author_name),
            "transcript": self.tr("Chat transcript"),
        }[entry.kind]
        author = plain_label(who, frame)
        bold = author.font()
        bold.setBold(True)
        author.setFont(bold)
        head.addWidget(author, 1)
        if entry.kind == "reply" and entry.mail_state is not None:
            head.addWidget(self._mail_label(entry, frame))
        stamp = plain_label(when, frame)
        stamp.setStyleSheet("color: #6b7280; border: none; background: transparent;")
        head.addWidget(stamp)
        box.addLayout(head)
        box.addWidget(plain_label(entry.text, frame, selectable=True))
        for attachment in entry.attachments:
            box.addLayout(self._attachment_row(attachment, frame))
        return frame

    def _mail_label(self, entry: TicketEntry, parent: QWidget) -> QLabel:
        if entry.mail_state == "failed":
            text = self.tr("E-mail failed: %1").replace("%1", entry.mail_error or self.tr("unknown reason"))
            colour = "#b91c1c"
        elif entry.mail_state == "sent":
            text, colour = self.tr("E-mail sent"), "#047857"
        else:
            text, colour = self.tr("Sending\u2026"), "#92400e"
        label = plain_label(text, parent)
        label.setObjectName("ticketMailState")
        label.setStyleSheet(f"color: {colour}; border: none; background: transparent;")
        return label

    def _attachment_row(self, attachment: TicketAttachment, parent: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        name = " ".join(attachment.filename.split()) or self.tr("attachment")
        label = plain_label(
            self.tr("Attachment: %1 (%2)").replace("%2", human_size(attachment.size)).replace("%1", name),
            parent,
        )
        save = QPushButton(self.tr("Save as\u2026"), parent)
        save.setObjectName("ticketAttachmentSave")
        save.setAccessibleName(self.tr("Save %1 as").replace("%1", name))
        save.clicked.connect(lambda: self.save_attachment(attachment))
        row.addWidget(label, 1)
        row.addWidget(save)
        return row

    @async_slot()
    async def save_attachment(self, attachment: TicketAttachment) -> None:
        ticket_id = self.ticket_id
        if ticket_id is None:
            return

        async def fetch() -> bytes:
            return (await self.service.attachment(ticket_id, attachment.attachment_id)).content

        await self.exporter.export(
            self.tr("Save the attachment"), attachment.filename or "attachment", "", fetch
        )

    # --- acting -----------------------------------------------------------------------------

    def _send(self, text: str, note: bool, state: TicketState | None) -> None:
        if self.ticket_id is not None:
            self._spawn(self._deliver(self.ticket_id, text, note, state), "ticket-send")

    async def _deliver(self, ticket_id: str, text: str, note: bool, state: TicketState | None) -> None:
        self.sending = True
        self.composer.set_busy(True)
        try:
            detail = await self._post(ticket_id, text, note, state)
        finally:
            self.sending = False
            self.composer.set_busy(False)
        if detail is not None:
            self.composer.clear()
            self._changed(detail)

    @reports_errors
    async def _post(self, ticket_id: str, text: str, note: bool, state: TicketState | None) -> TicketDetail:
        if note:
            return await self.service.note(ticket_id, text)
        return await self.service.reply(ticket_id, text, state)

    def _change(self, **change: Any) -> None:
        if self.ticket_id is not None:
            self._spawn(self._apply(self.ticket_id, change), "ticket-change")

    async def _apply(self, ticket_id: str, change: dict[str, Any]) -> None:
        detail = await self._patch(ticket_id, change)
        if detail is not None:
            self._changed(detail)
        elif self.detail is not None:
            self._show_actions(self.detail)  # the combos say what the ticket still is

    @reports_errors
    async def _patch(self, ticket_id: str, change: dict[str, Any]) -> TicketDetail:
        return await self.service.change(ticket_id, **change)

    @async_slot()
    async def mark_spam(self) -> None:
        detail = self.detail
        if detail is None:
            return
        if await confirm(
            self,
            self.tr("Mark as spam"),
            self.tr("Ticket #%1 and its visitor will be marked as spam.").replace(
                "%1", str(detail.ticket.number)
            ),
            self.tr("Mark as spam"),
            name="ticketSpamConfirm",
        ):
            await self._apply(detail.ticket.ticket_id, {"state": TicketState.SPAM})

    @async_slot()
    async def merge(self) -> None:
        detail = self.detail
        if detail is None:
            return
        number = await ask_merge_number(self, detail.ticket.number)
        if number is None:
            return
        kept: list[TicketDetail] = []

        async def merge_now() -> None:
            kept.append(await self.service.merge(detail.ticket.ticket_id, number))

        text = (
            self.tr("Ticket #%1 goes into ticket #%2: its messages are copied there and it is solved.")
            .replace("%1", str(detail.ticket.number))
            .replace("%2", str(number))
        )
        done = await confirm(
            self,
            self.tr("Merge tickets"),
            text,
            self.tr("Merge"),
            name="ticketMergeConfirm",
            action=merge_now,
        )
        if done and kept:
            self._changed(kept[0])

    def _changed(self, detail: TicketDetail) -> None:
        self.show_detail(detail)
        self.changed.emit(detail)

    def show_error(self, text: str) -> None:
        self._say(text, error=True)

    def _say(self, text: str, *, error: bool) -> None:
        self.error.setStyleSheet("color: #b91c1c;" if error else "color: #4b5563;")
        self.error.setText(text)
        self.error.show()

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = self.service.spawn(coro, name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task
