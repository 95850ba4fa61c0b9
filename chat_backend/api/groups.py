"""`/api/v1/groups*`: agent groups and their members (any agent reads, admins write)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from chat_backend.api.deps import CurrentActor, CurrentAgent, State, raise_http, raise_invalid
from chat_backend.domain import groups
from chat_backend.domain.errors import DomainError
from chat_protocol.rest import GroupInfo, GroupInput

router = APIRouter(prefix="/api/v1")


@router.get("/groups")
async def list_groups(_agent: CurrentAgent, state: State) -> list[GroupInfo]:
    """Every group with its members."""
    async with state.db.read() as session:
        return await groups.list_groups(session)


@router.post("/groups", status_code=201)
async def create_group(body: GroupInput, agent: CurrentAgent, actor: CurrentActor, state: State) -> GroupInfo:
    """Admins; a name in use is 409 `already_exists`."""
    try:
        async with state.db.write() as session:
            created = await groups.create_group(session, agent, actor, body)
    except DomainError as exc:
        raise_invalid(exc)
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
        raise_invalid(exc)
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
