"""Who may do what: roles (agent, supervisor, admin), a supervisor's group scope, and the SQL filter
that delivery and replay apply. `docs/roles.md` is the rule book; tests/integration/test_roles_matrix.py
checks this module against it.

The actor is read from the database for every REST request and every socket delivery batch, so a
changed role or group, a transfer or a deactivation takes effect at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, AgentGroup, Chat
from chat_backend.domain.errors import DomainError
from chat_protocol import ChatState, ErrorCode

AGENT, SUPERVISOR, ADMIN = "agent", "supervisor", "admin"


@dataclass(frozen=True)
class Actor:
    """An agent's current role and groups."""

    agent_id: str
    role: str
    group_ids: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def supervises(self) -> bool:
        return self.role in (SUPERVISOR, ADMIN)


async def group_ids_of(session: AsyncSession, agent_id: str) -> frozenset[str]:
    rows = await session.scalars(select(AgentGroup.group_id).where(AgentGroup.agent_id == agent_id))
    return frozenset(rows.all())


async def load_actor(session: AsyncSession, agent_id: str) -> Actor:
    """The agent as they are now; a deactivated or deleted account is refused."""
    agent = await session.get(Agent, agent_id, populate_existing=True)
    if agent is None or not agent.active:
        raise DomainError(ErrorCode.INVALID_TOKEN, "The account is deactivated.")
    return Actor(agent.id, agent.role, await group_ids_of(session, agent.id))


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise DomainError(ErrorCode.FORBIDDEN, "Only admins may change this.")


def require_supervisor(actor: Actor) -> None:
    if not actor.supervises:
        raise DomainError(ErrorCode.FORBIDDEN, "Only supervisors and admins may do this.")


async def agent_in_scope(session: AsyncSession, actor: Actor, agent_id: str) -> bool:
    """Admins: everyone. Supervisors: agents sharing one of their groups (and themselves)."""
    if actor.is_admin or agent_id == actor.agent_id:
        return True
    if actor.role != SUPERVISOR or not actor.group_ids:
        return False
    return bool((await group_ids_of(session, agent_id)) & actor.group_ids)


def queued_for(chat: Chat, group_ids: frozenset[str]) -> bool:
    """Waiting in the queue of one of these groups. `group_id` stays on a chat after it left that
    queue: it is not scope by itself."""
    return chat.state == ChatState.QUEUED.value and chat.group_id is not None and chat.group_id in group_ids


async def chat_in_scope(session: AsyncSession, actor: Actor, chat: Chat) -> bool:
    """A supervisor's scope: chats whose agent is in one of their groups, or which are queued for one
    of their groups (not chats that merely passed through such a queue)."""
    if actor.is_admin:
        return True
    if actor.role != SUPERVISOR or not actor.group_ids:
        return False
    if queued_for(chat, actor.group_ids):
        return True
    return chat.agent_id is not None and await agent_in_scope(session, actor, chat.agent_id)


async def require_chat_in_scope(session: AsyncSession, actor: Actor, chat_id: str) -> Chat:
    """The chat, if this supervisor or admin may supervise it; `not_found` hides other chats."""
    require_supervisor(actor)
    chat = await session.get(Chat, chat_id)
    if chat is None or not await chat_in_scope(session, actor, chat):
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    return chat


def scope_clause(actor: Actor) -> ColumnElement[bool]:
    """The SQL form of `chat_in_scope`, for delivery, replay and lists (joined with `Chat`)."""
    if actor.is_admin:
        return true()
    if actor.role != SUPERVISOR or not actor.group_ids:
        return false()
    groups = sorted(actor.group_ids)
    teammates = select(AgentGroup.agent_id).where(AgentGroup.group_id.in_(groups))
    queued_for_mine = and_(Chat.state == ChatState.QUEUED.value, Chat.group_id.in_(groups))
    return or_(queued_for_mine, Chat.agent_id.in_(teammates))


def same_kind_of_work(actor: Actor) -> ColumnElement[bool]:
    """Training apart: a trainee sees no real chat but their own, and nobody else a training chat
    but its holder and, once it is taken, the supervisors in scope (who watch trainees)."""
    trainee = select(Agent.training).where(Agent.id == actor.agent_id).scalar_subquery()
    return or_(
        Chat.training == trainee,
        Chat.agent_id == actor.agent_id,
        and_(Chat.state == ChatState.TAKEN.value, Chat.training.is_(True), scope_clause(actor)),
    )


async def other_kind_of_work(session: AsyncSession, actor: Actor, chat: Chat) -> bool:
    """A live chat of the other kind than the caller's work (a real one for a trainee, a training one
    for others), unless it is a taken training chat (which supervisors in scope may watch): not the
    caller's to read, as `same_kind_of_work` keeps it from delivery."""
    me = await session.get(Agent, actor.agent_id)
    other = chat.training != bool(me is not None and me.training)
    return other and not (chat.training and chat.state == ChatState.TAKEN.value)
