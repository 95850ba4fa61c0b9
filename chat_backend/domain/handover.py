"""Working a chat together: internal notes, transfers, read receipts, ratings, presence, offline messages."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, Chat, OfflineMessageRow, Visitor, utcnow
from chat_backend.domain import chats, routing, tickets
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import append_event, find_retry, to_model
from chat_protocol import ChatState, ChatStateEvent, ChatSummary, ErrorCode
from chat_protocol.models import NoteEvent, RatingEvent
from chat_protocol.rest import OfflineMessage


async def add_note(
    session: AsyncSession, agent: AgentIdentity, chat_id: str, client_id: str, text: str
) -> NoteEvent:
    author = chats.agent_author(agent)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is None:
        chat = await chats.held_chat(session, agent, chat_id)
        existing = await append_event(
            session, chat, "note", author, text=text, client_id=client_id, audience="agents"
        )
    note = to_model(existing)
    if not isinstance(note, NoteEvent):
        raise DomainError(ErrorCode.CLIENT_ID_CONFLICT, "This client_id was already used for another action.")
    return note


async def transfer(
    session: AsyncSession,
    agent: AgentIdentity,
    chat_id: str,
    client_id: str,
    *,
    to_agent_id: str | None,
    to_group_id: str | None,
    note: str,
    online: set[str],
) -> tuple[ChatStateEvent, ChatSummary]:
    """Hand the chat to an agent who can accept it now, or to a group's queue; refused otherwise."""
    author = chats.agent_author(agent)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is not None:
        return await chats.retried_by_agent(session, agent.agent_id, existing)
    if (to_agent_id is None) == (to_group_id is None):
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "Name exactly one agent or one group.")
    chat = await chats.held_chat(session, agent, chat_id)
    settings = await routing.routing_settings(session)
    # Routing must not hand it straight back to me; earlier holders are fair game again.
    chat.previous_agent_ids = [agent.agent_id]
    if to_agent_id is not None:
        target = await session.get(Agent, to_agent_id)
        if target is None or target.id == agent.agent_id or target.training != chat.training:
            raise DomainError(ErrorCode.TARGET_UNAVAILABLE, "Choose another agent.")
        if not await routing.can_accept(session, target, online, settings.default_max_chats):
            raise DomainError(
                ErrorCode.TARGET_UNAVAILABLE,
                f"{target.name} cannot take chats now (offline, not accepting or full).",
            )
        chat.agent_id, chat.assigned, chat.taken_at = target.id, False, utcnow()
        row = await chats.state_event(
            session,
            chat,
            ChatState.TAKEN,
            author,
            client_id,
            agent=chats.agent_author(target),
            transferred_from=author,
        )
    else:
        assert to_group_id is not None
        members = await routing.group_members(session, to_group_id)
        candidates = (await session.scalars(select(Agent).where(Agent.id.in_(members)))).all()
        ready = [
            a
            for a in candidates
            if a.id != agent.agent_id
            and a.training == chat.training
            and await routing.can_accept(session, a, online, settings.default_max_chats)
        ]
        if not ready:
            raise DomainError(ErrorCode.TARGET_UNAVAILABLE, "Nobody in that group can take chats now.")
        chat.agent_id, chat.assigned, chat.group_id, chat.queued_at = None, False, to_group_id, utcnow()
        row = await chats.state_event(
            session, chat, ChatState.QUEUED, author, client_id, transferred_from=author
        )
    if note.strip():
        await append_event(session, chat, "note", author, text=note.strip(), audience="agents")
    return await chats.answer(session, row, chat)


async def mark_read(session: AsyncSession, chat: Chat, reader: Literal["agent", "visitor"], seq: int) -> int:
    """Raise the reader's read mark (never lower it); the new mark."""
    seq = min(seq, chat.last_seq)
    if reader == "agent":
        chat.agent_read_seq = max(chat.agent_read_seq, seq)
        return chat.agent_read_seq
    chat.visitor_read_seq = max(chat.visitor_read_seq, seq)
    return chat.visitor_read_seq


async def latest_chat_of(session: AsyncSession, visitor_id: str) -> Chat | None:
    found = await session.scalars(
        select(Chat).where(Chat.visitor_id == visitor_id).order_by(Chat.created_at.desc())
    )
    return found.first()


async def rate(
    session: AsyncSession,
    visitor: Visitor,
    client_id: str,
    rating: str,
    comment: str,
    chat_id: str | None = None,
) -> RatingEvent:
    """Rate the named chat (it must be the visitor's own), or the visitor's newest one."""
    author = chats.visitor_author(visitor)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is None:
        chat = await session.get(Chat, chat_id) if chat_id else await latest_chat_of(session, visitor.id)
        if chat is None or chat.visitor_id != visitor.id:
            raise DomainError(ErrorCode.NOT_FOUND, "There is no chat to rate.")
        existing = await append_event(
            session,
            chat,
            "rating",
            author,
            text=comment.strip(),
            data={"rating": rating},
            client_id=client_id,
        )
    event = to_model(existing)
    if not isinstance(event, RatingEvent):
        raise DomainError(ErrorCode.CLIENT_ID_CONFLICT, "This client_id was already used for another action.")
    return event


async def set_presence(session: AsyncSession, visitor_id: str, presence: str) -> list[Chat]:
    """Record the visitor's presence on their open chats; those whose value changed."""
    changed = []
    for chat in (
        await session.scalars(
            select(Chat).where(Chat.visitor_id == visitor_id, Chat.state.in_(chats.OPEN_STATES))
        )
    ).all():
        if presence == "active":
            chat.last_visitor_activity_at = utcnow()
        if chat.visitor_presence != presence:
            chat.visitor_presence = presence
            changed.append(chat)
    return changed


async def leave_offline_message(
    session: AsyncSession,
    visitor: Visitor,
    client_id: str,
    name: str,
    email: str,
    text: str,
    group_id: str | None = None,
) -> tuple[str, str, bool]:
    """The message is kept, and is a ticket (of the group the visitor picked, else the site's default
    group): (message id, ticket id, whether both are new). A retry with the same `client_id` answers
    the first one."""
    found = await session.scalars(
        select(OfflineMessageRow).where(
            OfflineMessageRow.visitor_id == visitor.id, OfflineMessageRow.client_id == client_id
        )
    )
    row = found.first()
    created = row is None
    if row is None:
        chats.refuse_if_spam(visitor)
        row = OfflineMessageRow(
            id=str(uuid.uuid4()),
            site_id=visitor.site_id,
            visitor_id=visitor.id,
            client_id=client_id,
            name=name.strip(),
            email=email.strip(),
            text=text,
        )
        session.add(row)
        if name.strip() and not visitor.name:
            visitor.name = name.strip()
        await session.flush()
    ticket = await tickets.from_offline_message(session, row, group_id)
    return row.id, ticket.id, created


async def offline_messages(session: AsyncSession, limit: int = 200) -> list[OfflineMessage]:
    rows = (
        await session.scalars(
            select(OfflineMessageRow).order_by(OfflineMessageRow.created_at.desc()).limit(limit)
        )
    ).all()
    return [
        OfflineMessage(
            message_id=r.id,
            site_id=r.site_id,
            visitor_id=r.visitor_id,
            name=r.name,
            email=r.email,
            text=r.text,
            created_at=as_utc(r.created_at),
        )
        for r in rows
    ]
