"""What a live socket delivers: the events after its cursor that its user may see now (protocol rule 7).

An agent's role and groups are read again for every batch, so a change applies at once."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Chat
from chat_backend.domain import authz, chats
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
    return Batch([to_model(row) for row in rows], newest, unwatched=unwatched)


async def visitor_batch(
    session: AsyncSession, visitor_id: str, cursor: int, limit: int, *, with_newest: bool = False
) -> Batch:
    """Events after `cursor` of the visitor's own chats, only those meant for everyone."""
    newest = await max_event_id(session) if with_newest else 0
    rows = await chats.events_for_visitor(session, visitor_id, cursor, limit)
    return Batch([to_model(row) for row in rows], newest)
