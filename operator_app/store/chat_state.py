"""Plain client state built from snapshots and protocol events; no Qt, no I/O.

Events are idempotent by (chat_id, seq). A reply is shown at once as a "sending" entry keyed by its
`client_id`; the confirmed event replaces it. Every change is reported to a `StoreListener` right
after it is made, with the exact rows touched, so item models can update by row ranges.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal, Protocol

from chat_protocol import (
    Author,
    AuthorKind,
    ChatState,
    ChatStateEvent,
    MessageEvent,
    RoutingStatus,
    VisitorInfo,
)
from chat_protocol.attachments import AttachmentInfo
from chat_protocol.models import AnyEvent, CallEvent, ChatSummary, NoteEvent, PagePushEvent, RatingEvent
from chat_protocol.rest import Me, RoutingSettings, Snapshot, TranscriptPage

EntryKind = Literal["message", "chat_state", "note", "rating", "page_push", "call"]


class Delivery(StrEnum):
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class TranscriptEntry:
    """One line of a transcript: a message, a state change, an internal note or the visitor's rating.

    `seq` is None while sending; `text` is the message, the note or the rating's comment.
    """

    kind: EntryKind
    chat_id: str
    seq: int | None
    author: Author
    created_at: datetime
    text: str = ""
    client_id: str | None = None
    event_id: int | None = None
    audience: str = "all"
    state: ChatState | None = None
    agent: Author | None = None
    delivery: Delivery = Delivery.SENT
    reason: str | None = None
    assigned: bool = False
    transferred_from: Author | None = None
    rating: str | None = None
    url: str = ""
    push_state: str | None = None  # page_push: offered / accepted / declined
    offer_seq: int | None = None
    call_state: str | None = None  # call: started / ended (with `reason`, `ended_by`, `duration_s`)
    ended_by: str | None = None
    duration_s: float | None = None
    attachment: AttachmentInfo | None = None  # a file sent as a message (`text` is empty)


@dataclass
class ChatRecord:
    """A chat as the client knows it. `entries`: confirmed by seq, then pending in send order."""

    chat_id: str
    state: ChatState
    visitor: VisitorInfo
    created_at: datetime
    agent: Author | None = None
    queued_at: datetime | None = None
    last_seq: int = 0
    last_text: str = ""
    last_author: AuthorKind | None = None
    last_author_name: str = ""
    last_by_me: bool = False
    last_at: datetime | None = None
    entries: list[TranscriptEntry] = field(default_factory=list)
    confirmed: int = 0
    seqs: set[int] = field(default_factory=set)
    history_loaded: bool = False
    details_known: bool = True
    sneak_peek: str = ""
    unread: int = 0
    visitor_presence: str = "active"
    visitor_read_seq: int = 0
    agent_read_seq: int = 0
    group_id: str | None = None  # queued for this group only


class StoreListener(Protocol):
    """Told of every change right after it happened (the Qt adapter implements it)."""

    def store_reset(self) -> None: ...
    def chat_changed(self, chat_id: str) -> None: ...
    def entries_inserted(self, chat_id: str, first: int, last: int) -> None: ...
    def entries_changed(self, chat_id: str, first: int, last: int) -> None: ...
    def entries_removed(self, chat_id: str, first: int, last: int) -> None: ...
    def sneak_peek_changed(self, chat_id: str, text: str) -> None: ...
    def status_changed(self, status: RoutingStatus) -> None: ...
    def chat_details_missing(self, chat_id: str) -> None: ...


def _entry_from_event(event: AnyEvent) -> TranscriptEntry:
    entry = TranscriptEntry(
        "message",
        event.chat_id,
        event.seq,
        event.author,
        event.created_at,
        client_id=event.client_id,
        event_id=event.event_id,
        audience=event.audience,
    )
    if isinstance(event, MessageEvent):
        return replace(entry, text=event.text, attachment=event.attachment)
    if isinstance(event, NoteEvent):
        return replace(entry, kind="note", text=event.text)
    if isinstance(event, RatingEvent):
        return replace(entry, kind="rating", text=event.comment, rating=event.rating)
    if isinstance(event, PagePushEvent):
        return replace(
            entry, kind="page_push", url=event.url, push_state=event.state, offer_seq=event.offer_seq
        )
    if isinstance(event, CallEvent):
        return replace(
            entry,
            kind="call",
            call_state=event.state,
            reason=event.reason,
            ended_by=event.ended_by,
            duration_s=event.duration_s,
        )
    return replace(
        entry,
        kind="chat_state",
        state=event.state,
        agent=event.agent,
        reason=event.reason.value if event.reason else None,
        assigned=event.assigned,
        transferred_from=event.transferred_from,
    )


class ChatStore:
    """All chats the agent may see, their transcripts, the routing status and the resume cursor."""

    def __init__(self, listener: StoreListener | None = None) -> None:
        self.listener = listener
        self.me: Me | None = None
        self.agent_id: str | None = None
        self.status = RoutingStatus.NOT_ACCEPTING
        self.cursor = 0
        self.chats: dict[str, ChatRecord] = {}
        self.active_chat_id: str | None = None
        self.routing = RoutingSettings()

    # --- queries ----------------------------------------------------------------------------

    def is_mine(self, chat: ChatRecord) -> bool:
        return chat.state == ChatState.TAKEN and chat.agent is not None and chat.agent.id == self.agent_id

    def is_queued(self, chat: ChatRecord) -> bool:
        """Waiting in my queue: queued for everyone, or for one of my groups (a chat queued for another
        group is not mine to take)."""
        if chat.state != ChatState.QUEUED:
            return False
        return chat.group_id is None or (self.me is not None and chat.group_id in self.me.group_ids)

    def is_my_author(self, author: Author) -> bool:
        return author.kind == AuthorKind.AGENT and author.id is not None and author.id == self.agent_id

    def get(self, chat_id: str) -> ChatRecord | None:
        return self.chats.get(chat_id)

    # --- whole state ------------------------------------------------------------------------

    def load_snapshot(self, snapshot: Snapshot) -> None:
        """Replace the chat list with a snapshot; keeps known transcript lines and pending replies."""
        self.me = snapshot.me
        self.agent_id = snapshot.me.agent_id
        self.status = snapshot.me.status
        self.cursor = snapshot.cursor
        self.routing = snapshot.routing or RoutingSettings()
        old = self.chats
        self.chats = {}
        for summary in [*snapshot.my_chats, *snapshot.queue]:
            chat = old.pop(summary.chat_id, None)
            self.chats[summary.chat_id] = self._merge_summary(chat, summary)
        for chat_id, chat in old.items():
            pending = chat.confirmed < len(chat.entries)
            if chat_id == self.active_chat_id or pending:
                self.chats[chat_id] = chat
        for chat in self.chats.values():
            chat.sneak_peek = ""
            chat.history_loaded = False
        if self.listener:
            self.listener.store_reset()
            self.listener.status_changed(self.status)

    def _merge_summary(self, chat: ChatRecord | None, summary: ChatSummary) -> ChatRecord:
        """Take a summary in, unless events newer than it were applied already (a slow response)."""
        if chat is None:
            chat = ChatRecord(summary.chat_id, summary.state, summary.visitor, summary.created_at)
        chat.visitor = summary.visitor
        chat.created_at = summary.created_at
        chat.details_known = True
        chat.visitor_presence = summary.visitor_presence
        chat.visitor_read_seq = max(chat.visitor_read_seq, summary.visitor_read_seq)
        chat.agent_read_seq = max(chat.agent_read_seq, summary.agent_read_seq)
        if summary.last_seq >= chat.last_seq:
            chat.state = summary.state
            chat.agent = summary.agent
            chat.queued_at = summary.queued_at
            chat.group_id = summary.group_id
            chat.last_seq = summary.last_seq
            if summary.last_message is not None:
                self._set_preview(chat, summary.last_message)
        return chat

    def upsert_summary(self, summary: ChatSummary) -> None:
        """Take in a chat summary (from a transcript page or a take/close result)."""
        chat = self.chats.get(summary.chat_id)
        self.chats[summary.chat_id] = self._merge_summary(chat, summary)
        if self.listener:
            self.listener.chat_changed(summary.chat_id)

    def set_status(self, status: RoutingStatus) -> None:
        if status != self.status:
            self.status = status
            if self.listener:
                self.listener.status_changed(status)

    def set_active_chat(self, chat_id: str | None) -> None:
        self.active_chat_id = chat_id
        chat = self.chats.get(chat_id) if chat_id else None
        if chat is not None and chat.unread:
            chat.unread = 0
            if self.listener:
                self.listener.chat_changed(chat.chat_id)

    # --- events -----------------------------------------------------------------------------

    def apply_event(self, event: AnyEvent, *, live: bool = True, advance_cursor: bool | None = None) -> bool:
        """Apply a durable event once; True when it was new to this store.

        `live` is False for history pages (not unread). Only events that came through the socket's
        ordered stream advance the resume cursor: not history, not the result of my own action.
        """
        fresh = live and event.event_id > self.cursor  # first seen on the socket's ordered stream
        if live if advance_cursor is None else advance_cursor:
            self.cursor = max(self.cursor, event.event_id)
        chat = self.chats.get(event.chat_id)
        if chat is None:
            chat = self._new_chat_for(event)
            if chat is None:
                return False
        if event.seq in chat.seqs:
            # A transcript loaded meanwhile (a chat just transferred to me) may hold a visitor's message
            # before the socket brings it: it is still new to the operator (unread, notified).
            return fresh and self._visitor_message_arrived(chat, event)
        self._insert_confirmed(chat, _entry_from_event(event))
        if isinstance(event, ChatStateEvent):
            if event.seq >= chat.last_seq:
                chat.state = event.state
                if event.agent is not None or event.state in (ChatState.QUEUED, ChatState.INCOMING):
                    chat.agent = event.agent
                if event.state == ChatState.QUEUED and chat.queued_at is None:
                    chat.queued_at = event.created_at
                chat.group_id = event.group_id
            if event.visitor is not None:
                chat.visitor = event.visitor
                if not chat.details_known:
                    chat.details_known = True
        elif isinstance(event, MessageEvent):
            if event.seq >= chat.last_seq and event.audience == "all":
                self._set_preview(chat, event)
            if live and event.author.kind == AuthorKind.VISITOR:
                self._count_visitor_message(chat)
        chat.last_seq = max(chat.last_seq, event.seq)
        if self.listener:
            self.listener.chat_changed(chat.chat_id)
        return True

    def _visitor_message_arrived(self, chat: ChatRecord, event: AnyEvent) -> bool:
        """A visitor's message already merged from a transcript arrives live: counted as unread."""
        if not isinstance(event, MessageEvent) or event.author.kind != AuthorKind.VISITOR:
            return False
        self._count_visitor_message(chat)
        if self.listener:
            self.listener.chat_changed(chat.chat_id)
        return True

    def _count_visitor_message(self, chat: ChatRecord) -> None:
        if chat.sneak_peek:
            self.set_sneak_peek(chat.chat_id, "")
        if chat.chat_id != self.active_chat_id:
            chat.unread += 1

    def _new_chat_for(self, event: AnyEvent) -> ChatRecord | None:
        """A record for an unknown chat, if the agent should see it (queued or mine)."""
        if isinstance(event, ChatStateEvent):
            mine = event.agent is not None and event.agent.id == self.agent_id
            waiting = event.state in (ChatState.INCOMING, ChatState.QUEUED)
            if not waiting and not (event.state == ChatState.TAKEN and mine):
                return None
            visitor = event.visitor
        else:
            visitor = None
        known = visitor is not None
        chat = ChatRecord(
            event.chat_id,
            event.state if isinstance(event, ChatStateEvent) else ChatState.QUEUED,
            visitor or VisitorInfo(visitor_id="", number=0),
            event.created_at,
            details_known=known,
        )
        self.chats[event.chat_id] = chat
        if not known and self.listener:
            self.listener.chat_details_missing(event.chat_id)
        return chat

    def apply_transcript_page(self, page: TranscriptPage) -> None:
        """History from REST: merged by seq, never counted as unread."""
        self.upsert_summary(page.chat)
        for event in page.events:
            self.apply_event(event, live=False)
        chat = self.chats[page.chat.chat_id]
        if not page.has_more:
            chat.history_loaded = True

    def _set_preview(self, chat: ChatRecord, message: MessageEvent) -> None:
        chat.last_text = message.text or (message.attachment.name if message.attachment else "")
        chat.last_author = message.author.kind
        chat.last_author_name = message.author.name
        chat.last_by_me = self.is_my_author(message.author)
        chat.last_at = message.created_at

    def _insert_confirmed(self, chat: ChatRecord, entry: TranscriptEntry) -> None:
        assert entry.seq is not None
        chat.seqs.add(entry.seq)
        keys = [e.seq or 0 for e in chat.entries[: chat.confirmed]]
        index = bisect.bisect_right(keys, entry.seq)
        pending = self._pending_index(chat, entry.client_id) if entry.client_id else None
        listener = self.listener
        if pending is not None and pending == index:
            chat.entries[index] = entry
            chat.confirmed += 1
            if listener:
                listener.entries_changed(chat.chat_id, index, index)
            return
        if pending is not None:
            del chat.entries[pending]
            if listener:
                listener.entries_removed(chat.chat_id, pending, pending)
        chat.entries.insert(index, entry)
        chat.confirmed += 1
        if listener:
            listener.entries_inserted(chat.chat_id, index, index)

    @staticmethod
    def _pending_index(chat: ChatRecord, client_id: str | None) -> int | None:
        for index in range(chat.confirmed, len(chat.entries)):
            if chat.entries[index].client_id == client_id:
                return index
        return None

    # --- optimistic replies -----------------------------------------------------------------

    def add_pending_message(
        self,
        chat_id: str,
        client_id: str,
        text: str,
        created_at: datetime | None = None,
        *,
        kind: Literal["message", "note"] = "message",
        attachment: AttachmentInfo | None = None,
    ) -> None:
        """Show my reply (or internal note, or file) as "sending" until its event arrives."""
        chat = self.chats.get(chat_id)
        if chat is None or self._pending_index(chat, client_id) is not None:
            return
        if any(e.client_id == client_id for e in chat.entries[: chat.confirmed]):
            return
        author = Author(kind=AuthorKind.AGENT, id=self.agent_id, name=self.me.name if self.me else "")
        entry = TranscriptEntry(
            kind,
            chat_id,
            None,
            author,
            created_at or datetime.now(UTC),
            text=text,
            client_id=client_id,
            audience="agents" if kind == "note" else "all",
            delivery=Delivery.SENDING,
            attachment=attachment,
        )
        chat.entries.append(entry)
        if self.listener:
            self.listener.entries_inserted(chat_id, len(chat.entries) - 1, len(chat.entries) - 1)

    def mark_failed(self, chat_id: str, client_id: str, delivery: Delivery = Delivery.FAILED) -> None:
        """The server refused a reply for good: keep it visible, marked failed (or sending again, for a
        file sent once more)."""
        chat = self.chats.get(chat_id)
        index = self._pending_index(chat, client_id) if chat else None
        if chat is None or index is None:
            return
        chat.entries[index] = replace(chat.entries[index], delivery=delivery)
        if self.listener:
            self.listener.entries_changed(chat_id, index, index)

    def drop_pending(self, chat_id: str, client_id: str) -> None:
        """A file whose sending was cancelled: its line goes."""
        chat = self.chats.get(chat_id)
        index = self._pending_index(chat, client_id) if chat else None
        if chat is None or index is None:
            return
        del chat.entries[index]
        if self.listener:
            self.listener.entries_removed(chat_id, index, index)

    # --- ephemeral --------------------------------------------------------------------------

    def set_sneak_peek(self, chat_id: str, text: str) -> None:
        chat = self.chats.get(chat_id)
        if chat is None or chat.sneak_peek == text:
            return
        chat.sneak_peek = text
        if self.listener:
            self.listener.sneak_peek_changed(chat_id, text)

    def set_visitor_presence(self, chat_id: str, presence: str) -> None:
        """The visitor's tab is active, hidden (inactive) or gone (left)."""
        chat = self.chats.get(chat_id)
        if chat is None or chat.visitor_presence == presence:
            return
        chat.visitor_presence = presence
        if self.listener:
            self.listener.chat_changed(chat_id)

    # --- read receipts ----------------------------------------------------------------------

    def set_visitor_read(self, chat_id: str, seq: int) -> None:
        """The visitor has seen every event up to `seq`: the lines that became "seen" change."""
        chat = self.chats.get(chat_id)
        if chat is None or seq <= chat.visitor_read_seq:
            return
        old, chat.visitor_read_seq = chat.visitor_read_seq, seq
        keys = [e.seq or 0 for e in chat.entries[: chat.confirmed]]
        first, last = bisect.bisect_right(keys, old), bisect.bisect_right(keys, seq) - 1
        if self.listener and first <= last:
            self.listener.entries_changed(chat_id, first, last)

    def is_seen(self, chat: ChatRecord, entry: TranscriptEntry) -> bool:
        """An agent's confirmed message the visitor has seen."""
        return (
            entry.kind == "message"
            and entry.author.kind == AuthorKind.AGENT
            and entry.seq is not None
            and entry.seq <= chat.visitor_read_seq
        )

    def awaiting_reply_since(self, chat: ChatRecord) -> datetime | None:
        """When the visitor's unanswered last message was sent, or None when nobody waits for me."""
        if chat.last_author == AuthorKind.VISITOR and chat.last_at is not None:
            return chat.last_at
        return None
