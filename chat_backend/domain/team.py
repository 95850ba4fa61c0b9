"""The team: each agent in the caller's scope with status, load and the day's figures (the team view),
colleagues as listed for transfers, and per-agent chat limits.

The team view runs a fixed number of queries whatever the number of agents and chats: the day's chats
come from the `taken_at` index, first responses from the `events.created_at` index, and the rest is
counted here."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from chat_backend.db.tables import Agent, AgentGroup, Chat, EventRow
from chat_backend.domain import audit, authz, routing
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_protocol import AuthorKind, ErrorCode, RoutingStatus
from chat_protocol.admin import TeamMember
from chat_protocol.rest import AgentSummary

_AGENT, _VISITOR = AuthorKind.AGENT.value, AuthorKind.VISITOR.value


def day_start(since: datetime | None, now: datetime | None = None) -> datetime:
    """`since` in UTC (a naive one is UTC); by default today's UTC midnight."""
    if since is None:
        return datetime.combine((now or datetime.now(UTC)).date(), time(), tzinfo=UTC)
    return as_utc(since).astimezone(UTC)


async def agents_in_scope(session: AsyncSession, actor: Actor) -> list[Agent]:
    """Admins: every active agent. Supervisors: the active agents sharing a group with them, and
    themselves. Agents: refused."""
    authz.require_supervisor(actor)
    query = select(Agent).where(Agent.active.is_(True))
    if not actor.is_admin:
        teammates = select(AgentGroup.agent_id).where(AgentGroup.group_id.in_(sorted(actor.group_ids)))
        query = query.where(or_(Agent.id == actor.agent_id, Agent.id.in_(teammates)))
    return list((await session.scalars(query.order_by(Agent.name, Agent.email))).all())


async def _chats_today(
    session: AsyncSession, since: datetime, ids: set[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Per agent: chats they hold or held, taken since `since`; and of those, the ones they wrote in.

    Every path that gives a chat an agent sets `taken_at`, so for every chat that ever had one,
    `taken_at >= since` is the rule "`taken_at` (or `created_at` when null) >= since" and can use the
    `taken_at` index."""
    real = Chat.training.is_(False)  # training chats count in the training results only
    today = select(Chat.id).where(Chat.taken_at >= since, real)
    rows = (
        await session.execute(
            select(Chat.id, Chat.agent_id, Chat.previous_agent_ids).where(Chat.taken_at >= since, real)
        )
    ).all()
    holders: dict[str, set[str]] = {}
    for chat_id, agent_id, previous in rows:
        held = {a for a in [agent_id, *(previous or [])] if a in ids}
        if held:
            holders[chat_id] = held
    wrote = await session.execute(
        select(EventRow.chat_id, EventRow.author_id)
        .where(EventRow.chat_id.in_(today), EventRow.kind == "message", EventRow.author_kind == _AGENT)
        .distinct()
    )
    chats: dict[str, int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)
    for held in holders.values():
        for agent_id in held:
            chats[agent_id] += 1
    for chat_id, author_id in wrote.all():
        if author_id is not None and author_id in holders.get(chat_id, ()):
            answered[author_id] += 1
    return chats, answered


async def _first_responses(session: AsyncSession, since: datetime) -> dict[str, list[float]]:
    """Per agent, the seconds from a visitor's first message to the first agent message after it, for
    each chat where that reply is theirs and was written since `since`.

    An agent's invitation or greeting written before the visitor spoke is not a response: the clock
    starts when the visitor first writes, and a chat in which the visitor never wrote does not count.
    Driven by the agent messages since `since` (the `created_at` index); each is checked against its
    own chat's messages through the (chat_id, seq) index, so the history does not matter."""
    reply, earlier, asked = aliased(EventRow), aliased(EventRow), aliased(EventRow)
    first_asked = (
        select(asked.seq)
        .where(asked.chat_id == reply.chat_id, asked.kind == "message", asked.author_kind == _VISITOR)
        .order_by(asked.seq)
        .limit(1)
        .correlate(reply)
        .scalar_subquery()
    )
    first_asked_at = (
        select(asked.created_at)
        .where(asked.chat_id == reply.chat_id, asked.kind == "message", asked.author_kind == _VISITOR)
        .order_by(asked.seq)
        .limit(1)
        .correlate(reply)
        .scalar_subquery()
    )
    answered_before = (
        select(earlier.id)
        .where(
            earlier.chat_id == reply.chat_id,
            earlier.seq < reply.seq,
            earlier.seq > first_asked,
            earlier.kind == "message",
            earlier.author_kind == _AGENT,
        )
        .correlate(reply)
    )
    rows = await session.execute(
        select(reply.author_id, reply.created_at, first_asked_at).where(
            reply.created_at >= since,
            reply.kind == "message",
            reply.author_kind == _AGENT,
            reply.seq > first_asked,
            ~exists(answered_before),
            reply.chat_id.not_in(select(Chat.id).where(Chat.training.is_(True))),  # real work only
        )
    )
    delays: dict[str, list[float]] = defaultdict(list)
    for author_id, replied_at, asked_at in rows.all():
        delays[str(author_id)].append(max(0.0, (as_utc(replied_at) - as_utc(asked_at)).total_seconds()))
    return delays


async def team(
    session: AsyncSession, actor: Actor, since: datetime | None, online: set[str]
) -> list[TeamMember]:
    """`GET /api/v1/team`: the caller's scope by name, with the figures since `since`."""
    since = day_start(since)
    agents = await agents_in_scope(session, actor)
    ids = {a.id for a in agents}
    settings = await routing.routing_settings(session)
    load = await routing.loads(session)
    memberships = await session.execute(
        select(AgentGroup.agent_id, AgentGroup.group_id).where(AgentGroup.agent_id.in_(sorted(ids)))
    )
    groups: dict[str, list[str]] = defaultdict(list)
    for agent_id, group_id in memberships.all():
        groups[agent_id].append(group_id)
    chats, answered = await _chats_today(session, since, ids)
    delays = await _first_responses(session, since)
    return [
        TeamMember(
            agent_id=a.id,
            name=a.name,
            email=a.email,
            role=a.role,
            status=RoutingStatus(a.status),
            online=a.id in online,
            load=load.get(a.id, 0),
            max_chats=a.max_chats or settings.default_max_chats,
            group_ids=sorted(groups.get(a.id, [])),
            chats_today=chats.get(a.id, 0),
            answered_today=answered.get(a.id, 0),
            first_response_today=sum(delays[a.id]) / len(delays[a.id]) if delays.get(a.id) else None,
        )
        for a in agents
    ]


async def colleagues(session: AsyncSession, online: set[str]) -> list[AgentSummary]:
    """`GET /api/v1/agents`: every active agent by name with status, load and groups; `online` are the
    agents with a live socket."""
    settings = await routing.routing_settings(session)
    load = await routing.loads(session)
    memberships = (await session.execute(select(AgentGroup.agent_id, AgentGroup.group_id))).all()
    agents = (await session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.name))).all()
    groups: dict[str, list[str]] = {}
    for agent_id, group_id in memberships:
        groups.setdefault(agent_id, []).append(group_id)
    return [
        AgentSummary(
            agent_id=a.id,
            name=a.name,
            status=RoutingStatus(a.status),
            online=a.id in online,
            load=load.get(a.id, 0),
            max_chats=a.max_chats or settings.default_max_chats,
            group_ids=sorted(groups.get(a.id, [])),
        )
        for a in agents
    ]


async def set_chat_limit(
    session: AsyncSession, identity: AgentIdentity, agent_id: str, max_chats: int
) -> AgentSummary:
    """An agent's own chat limit, audited as `agent.limit`. The caller checks the admin role first and
    fills in `online` (live sockets are not stored); `group_ids` stay empty."""
    target = await session.get(Agent, agent_id)
    if target is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such agent.")
    before = {"max_chats": target.max_chats}
    target.max_chats = max_chats
    await audit.record(session, identity, "agent.limit", target.id, before, {"max_chats": max_chats})
    load = (await routing.loads(session)).get(target.id, 0)
    return AgentSummary(
        agent_id=target.id,
        name=target.name,
        status=RoutingStatus(target.status),
        online=False,
        load=load,
        max_chats=max_chats,
    )
