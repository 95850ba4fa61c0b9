"""Supervision: whisper, join, take over, the supervised-chats list and a teammate's status.

Every function checks the actor's scope (`authz`) itself; handlers stay thin."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, Chat, EventRow, utcnow
from chat_backend.domain import authz, chats
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import append_event, find_retry, to_model
from chat_protocol import Author, AuthorKind, ChatState, ChatStateEvent, ChatSummary, ErrorCode, MessageEvent
from chat_protocol.models import NoteEvent, RoutingStatus
from chat_protocol.supervision import SupervisedChat


def _joiner(agent: AgentIdentity) -> Author:
    """The author of the system line `… joined the chat`; its key also records who joined."""
    return Author(kind=AuthorKind.SYSTEM, id=agent.agent_id, name=agent.name)


def _open(chat: Chat) -> None:
    if chat.state == ChatState.CLOSED.value:
        raise DomainError(ErrorCode.CHAT_CLOSED, "The chat has ended.")


async def whisper(
    session: AsyncSession, agent: AgentIdentity, actor: Actor, chat_id: str, client_id: str, text: str
) -> NoteEvent:
    author = chats.agent_author(agent)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is None:
        chat = await authz.require_chat_in_scope(session, actor, chat_id)
        _open(chat)
        existing = await append_event(
            session, chat, "note", author, text=text, client_id=client_id, audience="agents"
        )
    note = to_model(existing)
    if not isinstance(note, NoteEvent):
        raise DomainError(ErrorCode.CLIENT_ID_CONFLICT, "This client_id was already used for another action.")
    return note


async def join(
    session: AsyncSession, agent: AgentIdentity, actor: Actor, chat_id: str, client_id: str
) -> MessageEvent:
    author = _joiner(agent)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is None:
        chat = await authz.require_chat_in_scope(session, actor, chat_id)
        _open(chat)
        if chat.state != ChatState.TAKEN.value or chat.agent_id == agent.agent_id:
            raise DomainError(ErrorCode.FORBIDDEN, "Only a colleague's ongoing chat can be joined.")
        existing = await append_event(
            session, chat, "message", author, text=f"{agent.name} joined the chat.", client_id=client_id
        )
    return chats.as_message(existing)


async def has_joined(session: AsyncSession, agent_id: str, chat_id: str) -> bool:
    found = await session.scalars(
        select(EventRow.id)
        .where(EventRow.chat_id == chat_id, EventRow.author_key == f"system:{agent_id}")
        .limit(1)
    )
    return found.first() is not None


async def send_message(
    session: AsyncSession, agent: AgentIdentity, actor: Actor, chat_id: str, client_id: str, text: str
) -> MessageEvent:
    """The holder replies; so may a supervisor who joined the chat and still has it in scope."""
    author = chats.agent_author(agent)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is not None:
        return chats.as_message(existing)
    chat = await writable_chat(session, agent, actor, chat_id)
    row = await append_event(session, chat, "message", author, text=text, client_id=client_id)
    return chats.as_message(row)


async def writable_chat(session: AsyncSession, agent: AgentIdentity, actor: Actor, chat_id: str) -> Chat:
    """A chat the agent may write to the visitor in (a message, a file): the one they hold, or one they
    joined as a supervisor and still have in scope."""
    chat = await session.get(Chat, chat_id)
    joined = (
        chat is not None
        and chat.state == ChatState.TAKEN.value
        and chat.agent_id != agent.agent_id
        and await has_joined(session, agent.agent_id, chat.id)
        and await authz.chat_in_scope(session, actor, chat)
    )
    if joined and chat is not None:
        return chat
    return await chats.held_chat(session, agent, chat_id)


async def take_over(
    session: AsyncSession, agent: AgentIdentity, actor: Actor, chat_id: str, client_id: str
) -> tuple[ChatStateEvent, ChatSummary]:
    """The chat becomes mine whatever my status and load; the `chat_state` event names the previous
    agent in `transferred_from`, which is their notice."""
    author = chats.agent_author(agent)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is not None:
        return await chats.retried_by_agent(session, agent.agent_id, existing)
    chat = await authz.require_chat_in_scope(session, actor, chat_id)
    _open(chat)
    if chat.agent_id == agent.agent_id:
        raise DomainError(ErrorCode.FORBIDDEN, "This chat is already yours.")
    previous = await session.get(Agent, chat.agent_id) if chat.agent_id else None
    if previous is not None:
        chat.previous_agent_ids = [previous.id]
    chat.agent_id, chat.assigned, chat.taken_at = agent.agent_id, False, utcnow()
    row = await chats.state_event(
        session,
        chat,
        ChatState.TAKEN,
        author,
        client_id,
        agent=author,
        transferred_from=chats.agent_author(previous) if previous else None,
    )
    return await chats.answer(session, row, chat)


async def supervised_chats(session: AsyncSession, actor: Actor) -> list[SupervisedChat]:
    """Open chats of my scope held by someone else, or queued for one of my groups; oldest first."""
    authz.require_supervisor(actor)
    found = await session.scalars(
        select(Chat)
        .where(Chat.state.in_((ChatState.QUEUED.value, ChatState.TAKEN.value)))
        .where(authz.scope_clause(actor))
        .where((Chat.agent_id.is_(None)) | (Chat.agent_id != actor.agent_id))
        .order_by(Chat.created_at)
    )
    now = datetime.now(UTC)
    result = []
    for chat in found.all():
        last = await session.scalars(
            select(EventRow)
            .where(EventRow.chat_id == chat.id, EventRow.kind == "message")
            .order_by(EventRow.seq.desc())
            .limit(1)
        )
        row = last.first()
        waiting = 0
        if row is not None and row.author_kind == AuthorKind.VISITOR.value:
            # At least 1: 0 means "answered", even for a message sent this very second.
            waiting = max(1, int((now - as_utc(row.created_at)).total_seconds()))
        result.append(SupervisedChat(chat=await chats.summary(session, chat), waiting_seconds=waiting))
    return result


async def set_teammate_status(
    session: AsyncSession, actor: Actor, agent_id: str, status: RoutingStatus
) -> tuple[Agent, str]:
    """A supervisor sets the routing status of an agent of their groups (admins: anyone); the agent
    and their previous status."""
    authz.require_supervisor(actor)
    target = await session.get(Agent, agent_id)
    if target is None or not await authz.agent_in_scope(session, actor, agent_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such agent.")
    before = target.status
    await session.execute(update(Agent).where(Agent.id == agent_id).values(status=status.value))
    await session.refresh(target)
    return target, before
