"""Groups (departments): listed for every agent, created, renamed, staffed and deleted by admins
(audited). A supervisor's scope follows the memberships at once (`authz`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, AgentGroup, Chat, Group
from chat_backend.domain import audit, authz
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.rest import GroupInfo, GroupInput


async def _members(session: AsyncSession, group_ids: Sequence[str] | None = None) -> dict[str, list[str]]:
    query = select(AgentGroup.group_id, AgentGroup.agent_id)
    if group_ids is not None:
        query = query.where(AgentGroup.group_id.in_(group_ids))
    members: dict[str, list[str]] = {}
    for group_id, agent_id in (await session.execute(query)).all():
        members.setdefault(group_id, []).append(agent_id)
    return members


async def list_groups(session: AsyncSession) -> list[GroupInfo]:
    """Every group by name, with its members."""
    groups = (await session.scalars(select(Group).order_by(Group.name))).all()
    members = await _members(session)
    return [GroupInfo(group_id=g.id, name=g.name, agent_ids=sorted(members.get(g.id, []))) for g in groups]


async def _info(session: AsyncSession, group: Group) -> GroupInfo:
    members = await _members(session, [group.id])
    return GroupInfo(group_id=group.id, name=group.name, agent_ids=sorted(members.get(group.id, [])))


def _dump(info: GroupInfo) -> dict[str, Any]:
    return info.model_dump(mode="json", exclude={"group_id"})


async def _checked(session: AsyncSession, body: GroupInput, group_id: str | None) -> tuple[str, list[str]]:
    """The trimmed name, free among the other groups, and the distinct member ids, all of them agents."""
    name = body.name.strip()
    if not name:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "The group name is empty.")
    same = await session.scalars(select(Group.id).where(Group.name == name, Group.id != (group_id or "")))
    if same.first() is not None:
        raise DomainError(ErrorCode.ALREADY_EXISTS, f"A group named {name!r} exists.")
    wanted = sorted(set(body.agent_ids))
    known = set((await session.scalars(select(Agent.id).where(Agent.id.in_(wanted)))).all())
    if known != set(wanted):
        raise DomainError(ErrorCode.NOT_FOUND, "No such agent.")
    return name, wanted


async def _set_members(session: AsyncSession, group_id: str, agent_ids: list[str]) -> None:
    await session.execute(delete(AgentGroup).where(AgentGroup.group_id == group_id))
    session.add_all(AgentGroup(agent_id=a, group_id=group_id) for a in agent_ids)
    await session.flush()


async def create_group(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, body: GroupInput
) -> GroupInfo:
    authz.require_admin(actor)
    name, members = await _checked(session, body, None)
    group = Group(id=str(uuid.uuid4()), name=name)
    session.add(group)
    await session.flush()
    await _set_members(session, group.id, members)
    info = await _info(session, group)
    await audit.record(session, identity, "group.create", group.id, None, _dump(info))
    return info


async def _group(session: AsyncSession, group_id: str) -> Group:
    group = await session.get(Group, group_id)
    if group is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such group.")
    return group


async def update_group(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, group_id: str, body: GroupInput
) -> GroupInfo:
    """The name and the full member list."""
    authz.require_admin(actor)
    group = await _group(session, group_id)
    before = await _info(session, group)
    group.name, members = await _checked(session, body, group_id)
    await _set_members(session, group_id, members)
    info = await _info(session, group)
    await audit.record(session, identity, "group.update", group_id, _dump(before), _dump(info))
    return info


async def delete_group(session: AsyncSession, identity: AgentIdentity, actor: Actor, group_id: str) -> None:
    """Memberships go with the group; its chats stay, with no group (a queued one is anyone's now)."""
    authz.require_admin(actor)
    group = await _group(session, group_id)
    before = await _info(session, group)
    await session.execute(
        update(Chat)
        .where(Chat.group_id == group_id)
        .values(group_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(AgentGroup).where(AgentGroup.group_id == group_id))
    await session.delete(group)
    await session.flush()
    await audit.record(session, identity, "group.delete", group_id, _dump(before), None)
