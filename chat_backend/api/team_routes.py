"""`/api/v1`: canned replies, colleagues and groups, offline messages and routing settings."""

from __future__ import annotations

from typing import NoReturn

from fastapi import APIRouter, Response

from chat_backend.api.deps import CurrentActor, CurrentAgent, State, admin_only, raise_http
from chat_backend.domain import audit, canned, groups, handover, routing, team
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.canned import CannedReply, CannedReplyInput
from chat_protocol.rest import (
    AgentLimitInput,
    AgentSummary,
    GroupInfo,
    GroupInput,
    OfflineMessage,
    RoutingSettings,
)

router = APIRouter(prefix="/api/v1")


@router.get("/canned")
async def list_canned(agent: CurrentAgent, state: State) -> list[CannedReply]:
    async with state.db.read() as session:
        return await canned.visible(session, agent)


@router.post("/canned", status_code=201)
async def create_canned(body: CannedReplyInput, agent: CurrentAgent, state: State) -> CannedReply:
    try:
        async with state.db.write() as session:
            return await canned.create(session, agent, body)
    except DomainError as exc:
        raise_http(exc)


@router.put("/canned/{canned_id}")
async def update_canned(
    canned_id: str, body: CannedReplyInput, agent: CurrentAgent, state: State
) -> CannedReply:
    try:
        async with state.db.write() as session:
            return await canned.update(session, agent, canned_id, body)
    except DomainError as exc:
        raise_http(exc)


@router.delete("/canned/{canned_id}", status_code=204)
async def delete_canned(canned_id: str, agent: CurrentAgent, state: State) -> Response:
    try:
        async with state.db.write() as session:
            await canned.delete(session, agent, canned_id)
    except DomainError as exc:
        raise_http(exc)
    return Response(status_code=204)


@router.get("/agents")
async def list_agents(_agent: CurrentAgent, state: State) -> list[AgentSummary]:
    """Colleagues with status, online flag and load: the transfer dialog's list."""
    online = state.hub.online_agents()
    async with state.db.read() as session:
        return await team.colleagues(session, online)


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


@router.get("/groups")
async def list_groups(_agent: CurrentAgent, state: State) -> list[GroupInfo]:
    """Every group with its members."""
    async with state.db.read() as session:
        return await groups.list_groups(session)


def _refuse(exc: DomainError) -> NoReturn:
    raise_http(exc, 422 if exc.code == ErrorCode.INVALID_PAYLOAD else None)


@router.post("/groups", status_code=201)
async def create_group(body: GroupInput, agent: CurrentAgent, actor: CurrentActor, state: State) -> GroupInfo:
    """Admins; a name in use is 409 `already_exists`."""
    try:
        async with state.db.write() as session:
            created = await groups.create_group(session, agent, actor, body)
    except DomainError as exc:
        _refuse(exc)
    state.hub.wake_all()  # supervisors' scopes changed: live sockets re-read them on their next batch
    return created


@router.put("/groups/{group_id}")
async def update_group(
    group_id: str, body: GroupInput, agent: CurrentAgent, actor: CurrentActor, state: State
) -> GroupInfo:
    """Admins: the name and the full member list."""
    try:
        async with state.db.write() as session:
            updated = await groups.update_group(session, agent, actor, group_id, body)
    except DomainError as exc:
        _refuse(exc)
    state.hub.wake_all()
    state.router.kick()  # a group's queued chats may now have someone to go to
    return updated


@router.delete("/groups/{group_id}", status_code=204)
async def delete_group(group_id: str, agent: CurrentAgent, actor: CurrentActor, state: State) -> Response:
    """Admins: memberships go; the group's chats stay, with no group."""
    try:
        async with state.db.write() as session:
            await groups.delete_group(session, agent, actor, group_id)
    except DomainError as exc:
        raise_http(exc)
    state.hub.wake_all()
    state.router.kick()  # its queued chats are anyone's now
    return Response(status_code=204)


@router.get("/offline-messages")
async def list_offline_messages(_agent: CurrentAgent, state: State) -> list[OfflineMessage]:
    async with state.db.read() as session:
        return await handover.offline_messages(session)


@router.get("/settings/routing")
async def get_routing(_agent: CurrentAgent, state: State) -> RoutingSettings:
    async with state.db.read() as session:
        return await routing.routing_settings(session)


@router.put("/settings/routing")
async def put_routing(body: RoutingSettings, agent: CurrentAgent, state: State) -> RoutingSettings:
    admin_only(agent)
    async with state.db.write() as session:
        before = (await routing.routing_settings(session)).model_dump(mode="json")
        await routing.save_routing_settings(session, body)
        await audit.record(
            session, agent, "settings.routing", "routing", before, body.model_dump(mode="json")
        )
    state.router.kick()
    return body
