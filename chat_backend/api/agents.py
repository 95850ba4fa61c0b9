"""`/api/v1/agents*` and `/api/v1/agent-accounts`: colleagues for transfers, accounts, passwords,
chat limits, a teammate's status and administration (docs/roles.md says who may)."""

from __future__ import annotations

from fastapi import APIRouter

from chat_backend.api.deps import (
    CurrentActor,
    CurrentAgent,
    State,
    admin_only,
    close_logins,
    raise_http,
    raise_invalid,
)
from chat_backend.domain import accounts, audit, authz, supervision, team
from chat_backend.domain.errors import DomainError
from chat_backend.realtime.hub import Topic
from chat_protocol.admin import AgentCreate, AgentCreated, TemporaryPassword
from chat_protocol.envelope import Envelope
from chat_protocol.rest import AgentLimitInput, AgentSummary
from chat_protocol.socket_payloads import StatusPush
from chat_protocol.supervision import AgentDetail, AgentStatusInput, AgentUpdate

router = APIRouter(prefix="/api/v1")


@router.get("/agents")
async def list_agents(_agent: CurrentAgent, state: State) -> list[AgentSummary]:
    """Colleagues with status, online flag and load: the transfer dialog's list."""
    online = state.hub.online_agents()
    async with state.db.read() as session:
        return await team.colleagues(session, online)


@router.post("/agents", status_code=201)
async def create_agent(
    body: AgentCreate, agent: CurrentAgent, actor: CurrentActor, state: State
) -> AgentCreated:
    """Admins: a new account with a temporary password, shown once; the agent must replace it."""
    try:
        authz.require_admin(actor)  # before the costly hash (the domain checks again)
        password = accounts.temporary_password()
        password_hash = await state.passwords.hash(password)
        async with state.db.write() as session:
            created = await accounts.create_account(session, agent, actor, body, password, password_hash)
    except DomainError as exc:
        raise_invalid(exc)
    return created


@router.get("/agent-accounts")
async def list_accounts(actor: CurrentActor, state: State) -> list[AgentDetail]:
    """Admins: every account, deactivated ones included, by name."""
    try:
        async with state.db.read() as session:
            return await accounts.list_accounts(session, actor)
    except DomainError as exc:
        raise_http(exc)


@router.post("/agents/{agent_id}/password-reset")
async def reset_password(
    agent_id: str, agent: CurrentAgent, actor: CurrentActor, state: State
) -> TemporaryPassword:
    """Admins: a new temporary password; every login of the agent ends and their sockets close (4001)."""
    try:
        authz.require_admin(actor)  # before the costly hash (the domain checks again)
        password = accounts.temporary_password()
        password_hash = await state.passwords.hash(password)
        async with state.db.write() as session:
            await accounts.reset_password(session, agent, actor, agent_id, password_hash)
    except DomainError as exc:
        raise_http(exc)
    await close_logins(state, agent_id, "password reset")
    return TemporaryPassword(temporary_password=password)


@router.put("/agents/{agent_id}/limit")
async def set_agent_limit(
    agent_id: str, body: AgentLimitInput, agent: CurrentAgent, state: State
) -> AgentSummary:
    admin_only(agent)
    try:
        async with state.db.write() as session:
            limited = await team.set_chat_limit(session, agent, agent_id, body.max_chats)
    except DomainError as exc:
        raise_http(exc)
    state.router.kick()
    limited.online = limited.agent_id in state.hub.online_agents()
    return limited


@router.put("/agents/{agent_id}/status")
async def set_agent_status(
    agent_id: str, body: AgentStatusInput, agent: CurrentAgent, actor: CurrentActor, state: State
) -> AgentDetail:
    """A supervisor sets a teammate's routing status (someone forgot to log out); audited."""
    try:
        async with state.db.write() as session:
            target, before = await supervision.set_teammate_status(session, actor, agent_id, body.status)
            after = {"status": body.status.value}
            await audit.record(session, agent, "agent.status", agent_id, {"status": before}, after)
            detail = await audit.agent_detail(session, target)
    except DomainError as exc:
        raise_http(exc)
    state.hub.publish(Topic.agent(agent_id), Envelope.push("status", StatusPush(status=body.status)))
    state.router.kick()
    return detail


@router.patch("/agents/{agent_id}")
async def patch_agent(
    agent_id: str, body: AgentUpdate, agent: CurrentAgent, actor: CurrentActor, state: State
) -> AgentDetail:
    """Admins: role, groups, chat limit, active. Deactivating revokes every login of the agent and
    closes their sockets at once (4001)."""
    try:
        async with state.db.write() as session:
            detail, deactivated = await audit.update_agent(session, agent, actor, agent_id, body)
    except DomainError as exc:
        raise_http(exc)
    if deactivated:
        await close_logins(state, agent_id, "account deactivated")
    # Live sockets re-read role and groups on their next delivery batch: start one now.
    state.hub.wake_all()
    state.router.kick()
    return detail
