"""The audit log: every admin change with who, what, when, and the values before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, AgentGroup, AuditRow, AuthSession, Group, utcnow
from chat_backend.domain import authz
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.models import RoutingStatus
from chat_protocol.supervision import AgentDetail, AgentUpdate, AuditEntry


async def record(
    session: AsyncSession,
    actor: AgentIdentity,
    action: str,
    target: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Write one entry in the same transaction as the change it describes."""
    session.add(
        AuditRow(
            actor_id=actor.agent_id,
            actor_name=actor.name,
            action=action,
            target=target,
            before=before,
            after=after,
            created_at=utcnow(),
        )
    )
    await session.flush()


async def entries(
    session: AsyncSession, actor: Actor, limit: int, before_id: int | None = None
) -> list[AuditEntry]:
    """Newest first; `before_id` pages back (entries older than that one)."""
    authz.require_admin(actor)
    query = select(AuditRow)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    rows = await session.scalars(query.order_by(AuditRow.id.desc()).limit(limit))
    return [
        AuditEntry(
            audit_id=r.id,
            actor_id=r.actor_id,
            actor_name=r.actor_name,
            action=r.action,
            target=r.target,
            before=r.before,
            after=r.after,
            created_at=as_utc(r.created_at),
        )
        for r in rows.all()
    ]


async def agent_detail(session: AsyncSession, agent: Agent) -> AgentDetail:
    return AgentDetail(
        agent_id=agent.id,
        email=agent.email,
        name=agent.name,
        role=agent.role,
        active=agent.active,
        status=RoutingStatus(agent.status),
        max_chats=agent.max_chats,
        group_ids=sorted(await authz.group_ids_of(session, agent.id)),
        must_change_password=agent.must_change_password,
    )


async def update_agent(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, agent_id: str, body: AgentUpdate
) -> tuple[AgentDetail, bool]:
    """Change role, groups, limit or active flag, audited; whether the agent was deactivated (their
    auth sessions are revoked here, the caller closes their sockets)."""
    authz.require_admin(actor)
    target = await session.get(Agent, agent_id)
    if target is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such agent.")
    before = await agent_detail(session, target)
    demoted = body.role not in (None, "admin") or body.active is False
    if target.role == "admin" and target.active and demoted:
        others = await session.scalars(
            select(Agent.id).where(Agent.role == "admin", Agent.active.is_(True), Agent.id != agent_id)
        )
        if not others.first():
            raise DomainError(ErrorCode.FORBIDDEN, "Keep at least one active admin.")
    if body.group_ids is not None:
        wanted = set(body.group_ids)
        known = set((await session.scalars(select(Group.id).where(Group.id.in_(wanted)))).all())
        if known != wanted:
            raise DomainError(ErrorCode.NOT_FOUND, "No such group.")
        for row in (await session.scalars(select(AgentGroup).where(AgentGroup.agent_id == agent_id))).all():
            await session.delete(row)
        await session.flush()
        session.add_all(AgentGroup(agent_id=agent_id, group_id=g) for g in sorted(wanted))
    if body.role is not None:
        target.role = body.role
    if body.max_chats is not None:
        target.max_chats = body.max_chats
    deactivated = body.active is False and target.active
    if body.active is not None:
        target.active = body.active
    if deactivated:
        target.status = RoutingStatus.NOT_ACCEPTING.value
        await session.execute(
            update(AuthSession).where(AuthSession.agent_id == agent_id).values(revoked=True)
        )
    await session.flush()
    after = await agent_detail(session, target)
    changed = body.model_dump(exclude_none=True)
    await record(
        session,
        identity,
        "agent.update",
        agent_id,
        {k: v for k, v in before.model_dump(mode="json").items() if k in changed},
        {k: v for k, v in after.model_dump(mode="json").items() if k in changed},
    )
    return after, deactivated
