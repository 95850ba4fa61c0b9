"""What a live socket delivers: the events after its cursor that its user may see now (protocol rule 7).

An agent's role and groups are read again for every batch, so a change applies at once. The node's
event tail (`chat_backend/realtime/event_tail.py`) reads each new stretch of the log once, with the chat
of every event, to know whose sockets to wake (`tail_batch`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import AgentGroup, Chat, EventRow
from chat_backend.domain import authz, chats
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import max_event_id, to_model
from chat_protocol.models import AnyEvent


@dataclass
class Batch:
    """Events in log order; `newest` is the log's newest event id when it was asked for (a resume)."""

    events: list[AnyEvent]
    newest: int = 0
    deactivated: bool = False  # the agent's account is gone: the socket closes
    unwatched: list[str] = field(default_factory=list)  # watched chats now out of the agent's scope
    actor: Actor | None = None  # the agent's role and groups as read for this batch


async def agent_batch(
    session: AsyncSession,
    agent_id: str,
    watched: Collection[str],
    cursor: int,
    limit: int,
    *,
    with_newest: bool = False,
) -> Batch:
    """Events after `cursor` the agent may see now; watched chats are checked against their scope."""
    newest = await max_event_id(session) if with_newest else 0
    try:
        actor = await authz.load_actor(session, agent_id)
    except DomainError:
        return Batch([], newest, deactivated=True)
    unwatched = []
    for chat_id in watched:
        chat = await session.get(Chat, chat_id)
        if chat is None or not await authz.chat_in_scope(session, actor, chat):
            unwatched.append(chat_id)
    rows = await chats.events_for_agent(session, actor, cursor, limit)
    return Batch([to_model(row) for row in rows], newest, unwatched=unwatched, actor=actor)


async def visitor_batch(
    session: AsyncSession, visitor_id: str, cursor: int, limit: int, *, with_newest: bool = False
) -> Batch:
    """Events after `cursor` of the visitor's own chats, only those meant for everyone."""
    newest = await max_event_id(session) if with_newest else 0
    rows = await chats.events_for_visitor(session, visitor_id, cursor, limit)
    return Batch([to_model(row) for row in rows], newest)


@dataclass(frozen=True)
class TailEvent:
    """One event of the log with what decides who may see it: its chat as it is now."""

    event: AnyEvent
    kind: str
    audience: str
    visitor_id: str
    agent_id: str | None
    state: str
    group_id: str | None


@dataclass
class TailBatch:
    """Events after the tail's cursor in log order, and the groups of the agents holding their chats
    (a supervisor of one of those groups may see the chat)."""

    events: list[TailEvent]
    agent_groups: dict[str, frozenset[str]]


async def tail_batch(session: AsyncSession, cursor: int, limit: int) -> TailBatch:
    """Every event after `cursor` (up to `limit`), joined with its chat: one read for the whole node."""
    query = (
        select(EventRow, Chat.visitor_id, Chat.agent_id, Chat.state, Chat.group_id)
        .join(Chat, Chat.id == EventRow.chat_id)
        .where(EventRow.id > cursor)
        .order_by(EventRow.id)
        .limit(limit)
    )
    events = [
        TailEvent(to_model(row), row.kind, row.audience, visitor_id, agent_id, state, group_id)
        for row, visitor_id, agent_id, state, group_id in (await session.execute(query)).all()
    ]
    holders = sorted({e.agent_id for e in events if e.agent_id is not None})
    groups: dict[str, set[str]] = {agent_id: set() for agent_id in holders}
    if holders:
        members = select(AgentGroup.agent_id, AgentGroup.group_id).where(AgentGroup.agent_id.in_(holders))
        for agent_id, group_id in (await session.execute(members)).all():
            groups[agent_id].add(group_id)
    return TailBatch(events, {agent_id: frozenset(ids) for agent_id, ids in groups.items()})


async def newest_event_id(session: AsyncSession) -> int:
    """Where a tail starting now begins: everything before is read from the log by the sockets."""
    return await max_event_id(session)
