"""The chat lifecycle (incoming -> queued -> taken -> closed), messages, snapshots and replay."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, Chat, EventRow, Visitor, utcnow
from chat_backend.domain import archive, authz, calls, tag_rule
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import append_event, find_by_client_id, find_retry, max_event_id, to_model
from chat_backend.domain.training_site import TRAINING_SITE_ID
from chat_protocol import (
    Author,
    AuthorKind,
    ChatState,
    ChatStateEvent,
    ChatSummary,
    ErrorCode,
    MessageEvent,
    RoutingStatus,
    VisitorInfo,
)
from chat_protocol.models import AnyEvent, CloseReason
from chat_protocol.rest import Me, Snapshot, TranscriptPage

OPEN_STATES = (ChatState.INCOMING.value, ChatState.QUEUED.value, ChatState.TAKEN.value)
# In a chat action's `chat_state` event: the summary it answered, for a retry with the same client_id.
ANSWER_KEY = "answer"


def visitor_author(visitor: Visitor) -> Author:
    return Author(kind=AuthorKind.VISITOR, id=visitor.id, name=visitor.name)


def agent_author(agent: AgentIdentity | Agent) -> Author:
    agent_id = agent.agent_id if isinstance(agent, AgentIdentity) else agent.id
    return Author(kind=AuthorKind.AGENT, id=agent_id, name=agent.name)


def visitor_info(visitor: Visitor) -> VisitorInfo:
    return VisitorInfo(visitor_id=visitor.id, number=visitor.number, name=visitor.name)


async def summary(session: AsyncSession, chat: Chat, up_to_seq: int | None = None) -> ChatSummary:
    """The chat now; with `up_to_seq`, its last message is the newest one up to that seq."""
    visitor = await session.get(Visitor, chat.visitor_id)
    assert visitor is not None
    agent = await session.get(Agent, chat.agent_id) if chat.agent_id else None
    query = select(EventRow).where(
        EventRow.chat_id == chat.id, EventRow.kind == "message", EventRow.audience == "all"
    )
    if up_to_seq is not None:
        query = query.where(EventRow.seq <= up_to_seq)
    last = await session.scalars(query.order_by(EventRow.seq.desc()).limit(1))
    last_row = last.first()
    last_message = to_model(last_row) if last_row else None
    return ChatSummary(
        chat_id=chat.id,
        state=ChatState(chat.state),
        visitor=visitor_info(visitor),
        agent=agent_author(agent) if agent else None,
        created_at=as_utc(chat.created_at),
        queued_at=as_utc(chat.queued_at) if chat.queued_at else None,
        last_seq=chat.last_seq,
        last_message=last_message if isinstance(last_message, MessageEvent) else None,
        visitor_read_seq=chat.visitor_read_seq,
        agent_read_seq=chat.agent_read_seq,
        group_id=chat.group_id,
        visitor_presence=chat.visitor_presence,
    )


async def answer(session: AsyncSession, row: EventRow, chat: Chat) -> tuple[ChatStateEvent, ChatSummary]:
    """The answer to a chat action (its `chat_state` event and the chat as it is now), kept with the
    event: a retry with the same client_id gets this answer again, never fresher data."""
    result = await summary(session, chat)
    row.data = {**(row.data or {}), ANSWER_KEY: result.model_dump(mode="json")}
    return as_state(row), result


async def kept_answer(session: AsyncSession, row: EventRow) -> tuple[ChatStateEvent, ChatSummary]:
    """What the action that wrote `row` answered (rebuilt from the log for an event written before
    answers were kept)."""
    event = as_state(row)
    kept = (row.data or {}).get(ANSWER_KEY)
    if kept is not None:
        return event, ChatSummary.model_validate(kept)
    chat = await session.get(Chat, row.chat_id)
    assert chat is not None
    now = await summary(session, chat, up_to_seq=row.seq)
    return event, now.model_copy(
        update={
            "state": event.state,
            "agent": event.agent,
            "last_seq": row.seq,
            "visitor_read_seq": min(now.visitor_read_seq, row.seq),
            "agent_read_seq": min(now.agent_read_seq, row.seq),
        }
    )


async def retried_by_agent(
    session: AsyncSession, agent_id: str, row: EventRow
) -> tuple[ChatStateEvent, ChatSummary]:
    """A retried chat action of an agent: the original answer, if the agent may still read the chat
    (docs/roles.md: the transcript rule); `not_found` once it has moved beyond their sight."""
    as_state(row)  # a client_id used for another kind of action: `client_id_conflict`
    chat = await session.get(Chat, row.chat_id)
    actor = await authz.load_actor(session, agent_id)
    if chat is None or not await agent_may_read(session, actor, chat):
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat (it has moved on since).")
    return await kept_answer(session, row)


def refuse_if_spam(visitor: Visitor) -> None:
    """A visitor with a spam mark opens no chat and leaves no offline message."""
    if visitor.spam_marked_at is not None:
        raise DomainError(ErrorCode.BLOCKED, "Chat is not available.")


async def state_event(
    session: AsyncSession,
    chat: Chat,
    state: ChatState,
    author: Author,
    client_id: str | None = None,
    agent: Author | None = None,
    *,
    assigned: bool = False,
    transferred_from: Author | None = None,
    reason: CloseReason | None = None,
) -> EventRow:
    """Move the chat to `state` and log it, with what clients need to redraw it. A video call whose
    agent no longer holds the chat ends first (`chat_ended`)."""
    chat.state = state.value
    await calls.end_if_chat_moved(session, chat)
    visitor = await session.get(Visitor, chat.visitor_id)
    assert visitor is not None
    data = {
        "state": state.value,
        "agent": agent.model_dump(mode="json") if agent else None,
        "visitor": visitor_info(visitor).model_dump(mode="json"),
        "assigned": assigned,
        "transferred_from": transferred_from.model_dump(mode="json") if transferred_from else None,
        "reason": reason.value if reason else None,
        "group_id": chat.group_id if state == ChatState.QUEUED else None,
    }
    return await append_event(session, chat, "chat_state", author, data=data, client_id=client_id)


async def open_chat_of(session: AsyncSession, visitor_id: str) -> Chat | None:
    found = await session.scalars(
        select(Chat)
        .where(Chat.visitor_id == visitor_id, Chat.state.in_(OPEN_STATES))
        .order_by(Chat.created_at.desc())
    )
    return found.first()


async def _open_new_chat(session: AsyncSession, visitor: Visitor) -> Chat:
    """Create a chat and route it. Routing for now: every new chat goes to the queue. A chat on the
    training site is a training chat (`chat_backend.domain.training`)."""
    refuse_if_spam(visitor)
    chat = Chat(
        id=str(uuid.uuid4()),
        site_id=visitor.site_id,
        visitor_id=visitor.id,
        state=ChatState.INCOMING.value,
        created_at=utcnow(),
        training=visitor.site_id == TRAINING_SITE_ID,
    )
    session.add(chat)
    await session.flush()
    system = Author(kind=AuthorKind.SYSTEM)
    await state_event(session, chat, ChatState.INCOMING, visitor_author(visitor))
    chat.queued_at = utcnow()
    await state_event(session, chat, ChatState.QUEUED, system)
    return chat


async def would_open_chat(session: AsyncSession, visitor: Visitor, client_id: str) -> bool:
    """Whether the visitor's message `client_id` opens a chat: not a retry, and no chat is open."""
    if await find_by_client_id(session, visitor_author(visitor), client_id) is not None:
        return False
    return await open_chat_of(session, visitor.id) is None


async def visitor_send(
    session: AsyncSession, visitor: Visitor, client_id: str, text: str, name: str | None
) -> MessageEvent:
    """The visitor writes; the first message opens a chat. Idempotent by `client_id`."""
    existing = await find_by_client_id(session, visitor_author(visitor), client_id)
    if existing is not None:
        return as_message(existing)
    if name is not None and name.strip() and name.strip() != visitor.name:
        visitor.name = name.strip()
    chat = await open_chat_of(session, visitor.id) or await _open_new_chat(session, visitor)
    chat.last_visitor_activity_at = utcnow()
    row = await append_event(
        session, chat, "message", visitor_author(visitor), text=text, client_id=client_id
    )
    return as_message(row)


async def agent_send(
    session: AsyncSession, agent: AgentIdentity, chat_id: str, client_id: str, text: str
) -> MessageEvent:
    author = agent_author(agent)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is not None:
        return as_message(existing)
    chat = await held_chat(session, agent, chat_id)
    row = await append_event(session, chat, "message", author, text=text, client_id=client_id)
    return as_message(row)


async def take_chat(
    session: AsyncSession, agent: AgentIdentity, chat_id: str, client_id: str
) -> tuple[ChatStateEvent, ChatSummary]:
    """Exactly one agent gets a queued chat; the state check is in the UPDATE itself. A chat queued
    for a group waits for that group's members only (docs/admin.md)."""
    author = agent_author(agent)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is not None:
        return await retried_by_agent(session, agent.agent_id, existing)
    me = await session.get(Agent, agent.agent_id)
    if me is None or me.status != RoutingStatus.ACCEPTING.value:
        raise DomainError(ErrorCode.NOT_ACCEPTING, "Switch to 'accepting chats' to take a chat.")
    chat = await session.get(Chat, chat_id)
    if chat is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    if chat.state == ChatState.TAKEN.value and chat.agent_id == agent.agent_id:
        # Routed to me before I clicked: taking it is already done.
        latest = await session.scalars(
            select(EventRow)
            .where(EventRow.chat_id == chat.id, EventRow.kind == "chat_state")
            .order_by(EventRow.seq.desc())
            .limit(1)
        )
        return as_state(latest.one()), await summary(session, chat)
    if chat.training != me.training:  # training chats for agents in training only, and only those
        raise DomainError(ErrorCode.FORBIDDEN, _TRAINING_REFUSAL[me.training])
    my_groups = sorted(await authz.group_ids_of(session, agent.agent_id))
    if chat.state == ChatState.QUEUED.value and chat.group_id is not None and chat.group_id not in my_groups:
        raise _not_my_group()
    claimed = await session.execute(
        update(Chat)
        .where(Chat.id == chat_id, Chat.state == ChatState.QUEUED.value)
        .where(or_(Chat.group_id.is_(None), Chat.group_id.in_(my_groups)))
        .values(state=ChatState.TAKEN.value, agent_id=agent.agent_id, taken_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        await session.refresh(chat)
        if chat.state == ChatState.CLOSED.value:
            raise DomainError(ErrorCode.CHAT_CLOSED, "The chat has already ended.")
        if chat.state == ChatState.QUEUED.value:  # queued again, for another group, meanwhile
            raise _not_my_group()
        raise DomainError(ErrorCode.CHAT_ALREADY_TAKEN, "Another agent has already taken this chat.")
    await session.refresh(chat)
    row = await state_event(session, chat, ChatState.TAKEN, author, client_id, agent=author)
    return await answer(session, row, chat)


_TRAINING_REFUSAL = {
    True: "In training you take training chats only: leave training mode first.",
    False: "This is a training chat: switch to training mode to take it.",
}


def _not_my_group() -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, "This chat waits for the members of the group it was sent to.")


async def close_chat(
    session: AsyncSession, chat: Chat, author: Author, client_id: str
) -> tuple[ChatStateEvent, ChatSummary]:
    """Close an open chat (the caller checked who may); retries are answered by the callers."""
    if chat.state == ChatState.CLOSED.value:
        raise DomainError(ErrorCode.CHAT_CLOSED, "The chat has already ended.")
    reason = CloseReason.VISITOR if author.kind == AuthorKind.VISITOR else CloseReason.AGENT
    chat.closed_at = utcnow()
    agent = await session.get(Agent, chat.agent_id) if chat.agent_id else None
    row = await state_event(
        session,
        chat,
        ChatState.CLOSED,
        author,
        client_id,
        agent=agent_author(agent) if agent else None,
        reason=reason,
    )
    return await answer(session, row, chat)


async def agent_close(
    session: AsyncSession, agent: AgentIdentity, chat_id: str, client_id: str
) -> tuple[ChatStateEvent, ChatSummary]:
    author = agent_author(agent)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is not None:
        return await retried_by_agent(session, agent.agent_id, existing)
    chat = await session.get(Chat, chat_id)
    if chat is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    if chat.agent_id != agent.agent_id:
        raise DomainError(ErrorCode.FORBIDDEN, "Only the agent holding the chat can close it.")
    if chat.state != ChatState.CLOSED.value:
        await tag_rule.require_tag_to_close(session, chat.id)
    return await close_chat(session, chat, author, client_id)


async def visitor_close(
    session: AsyncSession, visitor: Visitor, client_id: str
) -> tuple[ChatStateEvent, ChatSummary]:
    author = visitor_author(visitor)
    existing = await find_by_client_id(session, author, client_id)
    if existing is not None:  # the visitor's own chat: the original answer
        return await kept_answer(session, existing)
    chat = await open_chat_of(session, visitor.id)
    if chat is None:
        raise DomainError(ErrorCode.CHAT_CLOSED, "There is no open chat.")
    return await close_chat(session, chat, author, client_id)


async def held_chat(session: AsyncSession, agent: AgentIdentity, chat_id: str) -> Chat:
    chat = await session.get(Chat, chat_id)
    if chat is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    if chat.state == ChatState.CLOSED.value:
        raise DomainError(ErrorCode.CHAT_CLOSED, "The chat has ended.")
    if chat.agent_id != agent.agent_id or chat.state != ChatState.TAKEN.value:
        raise DomainError(ErrorCode.FORBIDDEN, "Take the chat before replying.")
    return chat


async def set_status(session: AsyncSession, agent: AgentIdentity, status: RoutingStatus) -> None:
    await session.execute(update(Agent).where(Agent.id == agent.agent_id).values(status=status.value))


async def me(session: AsyncSession, agent: AgentIdentity) -> Me:
    row = await session.get(Agent, agent.agent_id)
    assert row is not None
    return Me(
        agent_id=row.id,
        email=row.email,
        name=row.name,
        role=row.role,
        status=RoutingStatus(row.status),
        must_change_password=row.must_change_password,
        group_ids=sorted(await authz.group_ids_of(session, row.id)),
        training=row.training,
        training_language=row.training_language if row.training else None,
    )


async def snapshot(session: AsyncSession, agent: AgentIdentity) -> Snapshot:
    # The cursor is read first: anything committed after it is replayed, and clients apply idempotently.
    cursor = await max_event_id(session)
    mine = await session.scalars(
        select(Chat)
        .where(Chat.agent_id == agent.agent_id, Chat.state == ChatState.TAKEN.value)
        .order_by(Chat.taken_at)
    )
    # The queue a member sees: chats for everyone, and those queued for one of my groups.
    groups = await authz.group_ids_of(session, agent.agent_id)
    who = await me(session, agent)
    queued = await session.scalars(
        select(Chat)
        .where(Chat.state == ChatState.QUEUED.value, Chat.training.is_(who.training))
        .where(or_(Chat.group_id.is_(None), Chat.group_id.in_(sorted(groups))))
        .order_by(Chat.queued_at)
    )
    return Snapshot(
        cursor=cursor,
        me=who,
        my_chats=[await summary(session, c) for c in mine.all()],
        queue=[await summary(session, c) for c in queued.all()],
    )


async def agent_may_read(session: AsyncSession, actor: Actor, chat: Chat) -> bool:
    """Over REST: my chats and the queue; a closed chat by the archive rule (`archive.visible_clause`:
    the chats I took part in and those of my groups); a colleague's live chat only in a supervisor's
    scope or for admins. Training apart (`authz.other_kind_of_work`)."""
    if chat.agent_id == actor.agent_id:
        return True
    if chat.state == ChatState.CLOSED.value:
        return await archive.may_read_closed(session, actor, chat.id)
    if await authz.other_kind_of_work(session, actor, chat):
        return False
    if chat.state == ChatState.QUEUED.value:
        return True
    return await authz.chat_in_scope(session, actor, chat)


async def transcript(
    session: AsyncSession, actor: Actor, chat_id: str, after_seq: int, limit: int
) -> TranscriptPage:
    chat = await session.get(Chat, chat_id)
    if chat is None or not await agent_may_read(session, actor, chat):
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    rows = await _chat_events(session, chat.id, after_seq, limit + 1)
    events = [to_model(r) for r in rows[:limit]]
    return TranscriptPage(
        chat=await summary(session, chat),
        events=events,
        has_more=len(rows) > limit,
        next_after_seq=events[-1].seq if events else after_seq,
    )


async def _chat_events(
    session: AsyncSession, chat_id: str, after_seq: int, limit: int, visitor_view: bool = False
) -> Sequence[EventRow]:
    query = select(EventRow).where(EventRow.chat_id == chat_id, EventRow.seq > after_seq)
    if visitor_view:
        query = query.where(EventRow.audience == "all")
    found = await session.scalars(query.order_by(EventRow.seq).limit(limit))
    return found.all()


async def visitor_transcript(
    session: AsyncSession, visitor: Visitor, after_seq: int, limit: int
) -> tuple[ChatSummary | None, list[AnyEvent]]:
    chat = await open_chat_of(session, visitor.id)
    if chat is None:
        return None, []
    rows = await _chat_events(session, chat.id, after_seq, limit, visitor_view=True)
    return await summary(session, chat), [to_model(r) for r in rows]


async def events_for_agent(
    session: AsyncSession, actor: Actor, cursor: int, limit: int
) -> Sequence[EventRow]:
    """Replay and delivery: events after `cursor` this agent may see *now* (protocol rule 7): every
    `chat_state` (the queue view needs them; they carry no text), everything of my chats and of queued
    ones, and of chats in my supervision scope (docs/roles.md)."""
    query = (
        select(EventRow)
        .join(Chat, Chat.id == EventRow.chat_id)
        .where(EventRow.id > cursor)
        .where(
            or_(
                EventRow.kind == "chat_state",
                Chat.agent_id == actor.agent_id,
                Chat.state.in_((ChatState.INCOMING.value, ChatState.QUEUED.value)),
                authz.scope_clause(actor),
            )
        )
        .where(authz.same_kind_of_work(actor))
        .order_by(EventRow.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def events_for_visitor(
    session: AsyncSession, visitor_id: str, cursor: int, limit: int
) -> Sequence[EventRow]:
    """Only the visitor's own chats, and only events meant for everyone."""
    query = (
        select(EventRow)
        .join(Chat, Chat.id == EventRow.chat_id)
        .where(and_(EventRow.id > cursor, Chat.visitor_id == visitor_id, EventRow.audience == "all"))
        .order_by(EventRow.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


def as_message(row: EventRow) -> MessageEvent:
    model = to_model(row)
    if not isinstance(model, MessageEvent):
        raise DomainError(ErrorCode.CLIENT_ID_CONFLICT, "This client_id was already used for another action.")
    return model


def as_state(row: EventRow) -> ChatStateEvent:
    model = to_model(row)
    if not isinstance(model, ChatStateEvent):
        raise DomainError(ErrorCode.CLIENT_ID_CONFLICT, "This client_id was already used for another action.")
    return model
