"""Agent accounts over REST: admins list them, create them and reset passwords (temporary passwords the
agent must replace); every agent changes their own password. Audited; the audit log never holds a
password or a hash."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, AgentGroup, AuthSession, Group
from chat_backend.domain import audit, auth, authz
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.admin import AgentCreate, AgentCreated
from chat_protocol.models import RoutingStatus
from chat_protocol.supervision import AgentDetail

# No 0/o, 1/l/i: read aloud or copied from a screen without mistakes. 16 of 31 symbols: ~79 bits.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def temporary_password() -> str:
    """`xxxx-xxxx-xxxx-xxxx` from `secrets`."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))


async def details(session: AsyncSession, agents: Sequence[Agent]) -> list[AgentDetail]:
    """`AgentDetail`s with their groups, in two queries whatever the number of agents."""
    ids = [a.id for a in agents]
    rows = await session.execute(
        select(AgentGroup.agent_id, AgentGroup.group_id).where(AgentGroup.agent_id.in_(ids))
    )
    groups: dict[str, list[str]] = {}
    for agent_id, group_id in rows.all():
        groups.setdefault(agent_id, []).append(group_id)
    return [
        AgentDetail(
            agent_id=a.id,
            email=a.email,
            name=a.name,
            role=a.role,
            active=a.active,
            status=RoutingStatus(a.status),
            max_chats=a.max_chats,
            group_ids=sorted(groups.get(a.id, [])),
            must_change_password=a.must_change_password,
        )
        for a in agents
    ]


async def list_accounts(session: AsyncSession, actor: Actor) -> list[AgentDetail]:
    """Every account, deactivated ones included, by name (admins)."""
    authz.require_admin(actor)
    agents = (await session.scalars(select(Agent).order_by(Agent.name, Agent.email))).all()
    return await details(session, agents)


async def require_groups(session: AsyncSession, group_ids: Sequence[str]) -> list[str]:
    """The distinct ids, sorted; `not_found` if one is not a group."""
    wanted = sorted(set(group_ids))
    known = set((await session.scalars(select(Group.id).where(Group.id.in_(wanted)))).all())
    if known != set(wanted):
        raise DomainError(ErrorCode.NOT_FOUND, "No such group.")
    return wanted


async def create_account(
    session: AsyncSession,
    identity: AgentIdentity,
    actor: Actor,
    body: AgentCreate,
    password: str,
    password_hash: str,
) -> AgentCreated:
    """A new agent with the temporary `password` (returned once; `password_hash` is its hash, computed
    before this transaction)."""
    authz.require_admin(actor)
    email, name = body.email.strip().lower(), body.name.strip()
    if not _EMAIL.match(email):
        raise DomainError(ErrorCode.INVALID_PAYLOAD, f"Not an e-mail address: {body.email!r}.")
    if not name:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "The name is empty.")
    if await auth.find_agent(session, email) is not None:
        raise DomainError(ErrorCode.ALREADY_EXISTS, f"An agent with the e-mail address {email} exists.")
    group_ids = await require_groups(session, body.group_ids)
    agent = await auth.add_agent(session, email, name, password_hash, body.role)
    agent.max_chats = body.max_chats
    agent.must_change_password = True
    session.add_all(AgentGroup(agent_id=agent.id, group_id=g) for g in group_ids)
    await session.flush()
    [detail] = await details(session, [agent])
    await audit.record(session, identity, "agent.create", agent.id, None, detail.model_dump(mode="json"))
    return AgentCreated(agent=detail, temporary_password=password)


async def reset_password(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, agent_id: str, password_hash: str
) -> None:
    """A new temporary password (given as its hash); every login of the agent is revoked here (the
    caller closes their sockets)."""
    authz.require_admin(actor)
    target = await session.get(Agent, agent_id)
    if target is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such agent.")
    target.password_hash = password_hash
    before = {"must_change_password": target.must_change_password}
    target.must_change_password = True
    await session.execute(update(AuthSession).where(AuthSession.agent_id == agent_id).values(revoked=True))
    await audit.record(
        session, identity, "agent.password_reset", agent_id, before, {"must_change_password": True}
    )


async def password_hash(session: AsyncSession, agent_id: str) -> str | None:
    """The agent's password hash, to be checked outside any write transaction."""
    agent = await session.get(Agent, agent_id)
    return agent.password_hash if agent is not None else None


def check_new_password(current: str, new: str) -> None:
    if new == current:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "The new password must differ from the current one.")


async def change_password(
    session: AsyncSession, identity: AgentIdentity, checked_hash: str, new_hash: str
) -> None:
    """The signed-in agent's own password, once the current one was checked against `checked_hash`.
    Clears `must_change_password`; revokes every other login of the agent (the caller closes their
    sockets), not this one. If the password changed in between, the check no longer holds."""
    agent = await session.get(Agent, identity.agent_id)
    if agent is None or agent.password_hash != checked_hash:
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, "The current password is wrong.")
    agent.password_hash = new_hash
    agent.must_change_password = False
    await session.execute(
        update(AuthSession)
        .where(AuthSession.agent_id == agent.id, AuthSession.id != identity.session_id)
        .values(revoked=True)
    )
    await audit.record(session, identity, "agent.password", agent.id, None, None)
