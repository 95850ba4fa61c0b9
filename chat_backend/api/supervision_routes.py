"""`/api/v1`: supervised chats, a teammate's status, agent administration and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chat_backend.api.deps import CurrentActor, CurrentAgent, State, raise_http
from chat_backend.domain import audit, supervision
from chat_backend.domain.errors import DomainError
from chat_backend.realtime.connection import CLOSE_INVALID_TOKEN
from chat_protocol.envelope import Envelope
from chat_protocol.socket_payloads import StatusPush
from chat_protocol.supervision import AgentDetail, AgentStatusInput, AgentUpdate, AuditEntry, SupervisedChat

router = APIRouter(prefix="/api/v1")


@router.get("/supervision/chats")
async def list_supervised(actor: CurrentActor, state: State) -> list[SupervisedChat]:
    """Teammates' open chats in my scope (supervisors: my groups; admins: all)."""
    try:
        async with state.db.read() as session:
            return await supervision.supervised_chats(session, actor)
    except DomainError as exc:
        raise_http(exc)


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
    for conn in state.hub.agent_connections(agent_id):
        conn.send(Envelope.push("status", StatusPush(status=body.status)))
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
        for conn in state.hub.agent_connections(agent_id):
            await conn.close(CLOSE_INVALID_TOKEN, "account deactivated")
    # Live sockets re-read role and groups on their next delivery batch: start one now.
    state.hub.wake_all()
    state.router.kick()
    return detail


@router.get("/audit")
async def list_audit(
    actor: CurrentActor,
    state: State,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[int | None, Query(description="Only entries older than this one.")] = None,
) -> list[AuditEntry]:
    """Admins: newest first; `before_id` (the last `audit_id` of a page) pages back."""
    try:
        async with state.db.read() as session:
            return await audit.entries(session, actor, limit, before_id)
    except DomainError as exc:
        raise_http(exc)
