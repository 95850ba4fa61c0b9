"""Routing: automatic assignment by lowest load, re-offering unanswered chats, inactivity closing,
queue positions and admin-set routing settings. Plain functions over a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, AgentGroup, CallRow, Chat, EventRow, Visitor, utcnow
from chat_backend.domain import calls, chats, server_settings
from chat_backend.domain.auth import as_utc
from chat_backend.domain.training_site import suits
from chat_protocol import Author, AuthorKind, ChatState, RoutingStatus
from chat_protocol.models import CloseReason
from chat_protocol.rest import RoutingSettings

SYSTEM = Author(kind=AuthorKind.SYSTEM)
_ROUTING_KEY = "routing"


async def routing_settings(session: AsyncSession) -> RoutingSettings:
    return await server_settings.load(session, _ROUTING_KEY, RoutingSettings)


async def save_routing_settings(session: AsyncSession, value: RoutingSettings) -> None:
    await server_settings.save(session, _ROUTING_KEY, value)


async def loads(session: AsyncSession) -> dict[str, int]:
    """Open chats held per agent."""
    rows = await session.execute(
        select(Chat.agent_id, func.count()).where(Chat.state == ChatState.TAKEN.value).group_by(Chat.agent_id)
    )
    return {str(agent_id): int(count) for agent_id, count in rows.all() if agent_id}


async def group_members(session: AsyncSession, group_id: str) -> set[str]:
    rows = await session.scalars(select(AgentGroup.agent_id).where(AgentGroup.group_id == group_id))
    return set(rows.all())


@dataclass(frozen=True)
class Assignment:
    chat_id: str
    agent_id: str
    visitor_id: str


async def can_accept(session: AsyncSession, agent: Agent, online: set[str], limit: int) -> bool:
    if not agent.active or agent.status != RoutingStatus.ACCEPTING.value or agent.id not in online:
        return False
    return (await loads(session)).get(agent.id, 0) < (agent.max_chats or limit)


async def assign_queued(session: AsyncSession, online: set[str]) -> list[Assignment]:
    """Give queued chats (oldest first) to online, accepting agents with the lowest load under their limit."""
    settings = await routing_settings(session)
    if not settings.auto_assign:
        return []
    agents = (
        await session.scalars(
            select(Agent).where(Agent.active.is_(True), Agent.status == RoutingStatus.ACCEPTING.value)
        )
    ).all()
    agents = [a for a in agents if a.id in online]
    if not agents:
        return []
    load = await loads(session)
    queued = (
        await session.scalars(
            select(Chat).where(Chat.state == ChatState.QUEUED.value).order_by(Chat.queued_at)
        )
    ).all()
    # A training chat goes to a trainee of its visitor's language (or of every language).
    scripted = [chat.visitor_id for chat in queued if chat.training]
    spoken = (
        dict(
            (
                await session.execute(select(Visitor.id, Visitor.language).where(Visitor.id.in_(scripted)))
            ).all()
        )
        if scripted
        else {}
    )
    done: list[Assignment] = []
    for chat in queued:
        members = await group_members(session, chat.group_id) if chat.group_id else None
        eligible = [
            a
            for a in agents
            if load.get(a.id, 0) < (a.max_chats or settings.default_max_chats)
            and (members is None or a.id in members)
            and a.id not in (chat.previous_agent_ids or [])
            and a.training == chat.training  # training chats to trainees only, real ones never to them
            and (not chat.training or suits(a.training_language, spoken.get(chat.visitor_id)))
        ]
        if not eligible:
            continue
        agent = min(eligible, key=lambda a: (load.get(a.id, 0), a.created_at, a.id))
        chat.state, chat.agent_id, chat.assigned, chat.taken_at = (
            ChatState.TAKEN.value,
            agent.id,
            True,
            utcnow(),
        )
        await chats.state_event(
            session, chat, ChatState.TAKEN, SYSTEM, agent=chats.agent_author(agent), assigned=True
        )
        load[agent.id] = load.get(agent.id, 0) + 1
        done.append(Assignment(chat.id, agent.id, chat.visitor_id))
    return done


async def reoffer_unanswered(session: AsyncSession, now: datetime | None = None) -> list[str]:
    """Chats routed to an agent who has not answered within `reassign_after` go back to the queue,
    not to be offered to that agent again. Off unless an admin sets it."""
    settings = await routing_settings(session)
    if settings.reassign_after is None:
        return []
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=settings.reassign_after)
    candidates = (
        await session.scalars(
            select(Chat).where(
                Chat.state == ChatState.TAKEN.value, Chat.assigned.is_(True), Chat.taken_at < cutoff
            )
        )
    ).all()
    moved = []
    for chat in candidates:
        answered = await session.scalar(
            select(func.count())
            .select_from(EventRow)
            .where(
                EventRow.chat_id == chat.id, EventRow.kind == "message", EventRow.author_id == chat.agent_id
            )
        )
        if answered:
            continue
        chat.previous_agent_ids = [*(chat.previous_agent_ids or []), chat.agent_id or ""]
        chat.agent_id, chat.assigned, chat.queued_at = None, False, utcnow()
        await chats.state_event(session, chat, ChatState.QUEUED, SYSTEM)
        moved.append(chat.id)
    return moved


async def close_inactive(session: AsyncSession, now: datetime | None = None) -> list[str]:
    """Close open chats whose visitor has done nothing for `inactivity_close_after` seconds. A chat
    with a video call running is not inactive (the call's end restarts the clock)."""
    settings = await routing_settings(session)
    if settings.inactivity_close_after is None:
        return []
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=settings.inactivity_close_after)
    stale = (
        await session.scalars(
            select(Chat).where(
                Chat.state.in_((ChatState.QUEUED.value, ChatState.TAKEN.value)),
                func.coalesce(Chat.last_visitor_activity_at, Chat.created_at) < cutoff,
                ~exists(
                    select(CallRow.id).where(
                        CallRow.chat_id == Chat.id, CallRow.state.in_(calls.ACTIVE_STATES)
                    )
                ),
            )
        )
    ).all()
    for chat in stale:
        chat.closed_at = utcnow()
        agent = await session.get(Agent, chat.agent_id) if chat.agent_id else None
        await chats.state_event(
            session,
            chat,
            ChatState.CLOSED,
            SYSTEM,
            agent=chats.agent_author(agent) if agent else None,
            reason=CloseReason.INACTIVE,
        )
    return [chat.id for chat in stale]


async def queue_positions(session: AsyncSession) -> list[tuple[Chat, int, int]]:
    """(chat, 1-based position, estimated wait in seconds) for every queued chat."""
    recent = (
        await session.execute(
            select(Chat.queued_at, Chat.taken_at)
            .where(Chat.taken_at.is_not(None), Chat.queued_at.is_not(None))
            .order_by(Chat.taken_at.desc())
            .limit(20)
        )
    ).all()
    waits = [(as_utc(taken) - as_utc(queued)).total_seconds() for queued, taken in recent if queued and taken]
    per_chat = max(10.0, sum(waits) / len(waits)) if waits else 60.0
    queued = (
        await session.scalars(
            select(Chat).where(Chat.state == ChatState.QUEUED.value).order_by(Chat.queued_at)
        )
    ).all()
    return [(chat, index + 1, round(per_chat * (index + 1))) for index, chat in enumerate(queued)]


async def agents_available(session: AsyncSession, online: set[str]) -> bool:
    """Whether a real visitor can reach someone: agents in training do not count."""
    rows = await session.scalars(
        select(Agent.id).where(
            Agent.active.is_(True),
            Agent.status == RoutingStatus.ACCEPTING.value,
            Agent.training.is_(False),
        )
    )
    return any(agent_id in online for agent_id in rows.all())
