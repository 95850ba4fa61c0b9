"""`/api/v1`: the team view, agent accounts and passwords, and sites (docs/roles.md says who may)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, NoReturn

from fastapi import APIRouter, Query, Request, Response

from chat_backend.api.deps import AppState, CurrentActor, CurrentAgent, State, raise_http
from chat_backend.domain import accounts, sites, team
from chat_backend.domain.errors import DomainError
from chat_backend.realtime.connection import CLOSE_INVALID_TOKEN
from chat_protocol import ErrorCode
from chat_protocol.admin import (
    AgentCreate,
    AgentCreated,
    PasswordChange,
    SiteInfo,
    SiteInput,
    TeamMember,
    TemporaryPassword,
)
from chat_protocol.supervision import AgentDetail

router = APIRouter(prefix="/api/v1")


def _refuse(exc: DomainError) -> NoReturn:
    """A bad value in an accepted body (an origin, an e-mail address) is 422, like pydantic's refusals."""
    raise_http(exc, 422 if exc.code == ErrorCode.INVALID_PAYLOAD else None)


@router.get("/team")
async def get_team(
    actor: CurrentActor,
    state: State,
    since: Annotated[
        datetime | None, Query(description="Start of 'today' (ISO 8601; naive = UTC). Default: UTC midnight.")
    ] = None,
) -> list[TeamMember]:
    """Supervisors: the agents of their groups and themselves; admins: every active agent."""
    try:
        async with state.db.read() as session:
            return await team.team(session, actor, since, state.hub.online_agents())
    except DomainError as exc:
        raise_http(exc)


@router.get("/agent-accounts")
async def list_accounts(actor: CurrentActor, state: State) -> list[AgentDetail]:
    """Admins: every account, deactivated ones included, by name."""
    try:
        async with state.db.read() as session:
            return await accounts.list_accounts(session, actor)
    except DomainError as exc:
        raise_http(exc)


@router.post("/agents", status_code=201)
async def create_agent(
    body: AgentCreate, agent: CurrentAgent, actor: CurrentActor, state: State
) -> AgentCreated:
    """Admins: a new account with a temporary password, shown once; the agent must replace it."""
    try:
        async with state.db.write() as session:
            created = await accounts.create_account(session, agent, actor, body)
    except DomainError as exc:
        _refuse(exc)
    return created


async def _close_logins(state: AppState, agent_id: str, reason: str, keep_session: str | None = None) -> None:
    for conn in state.hub.agent_connections(agent_id):
        if conn.agent is None or conn.agent.session_id != keep_session:
            await conn.close(CLOSE_INVALID_TOKEN, reason)


@router.post("/agents/{agent_id}/password-reset")
async def reset_password(
    agent_id: str, agent: CurrentAgent, actor: CurrentActor, state: State
) -> TemporaryPassword:
    """Admins: a new temporary password; every login of the agent ends and their sockets close (4001)."""
    try:
        async with state.db.write() as session:
            password = await accounts.reset_password(session, agent, actor, agent_id)
    except DomainError as exc:
        raise_http(exc)
    await _close_logins(state, agent_id, "password reset")
    return TemporaryPassword(temporary_password=password)


@router.put("/me/password", status_code=204)
async def change_password(body: PasswordChange, agent: CurrentAgent, state: State) -> Response:
    """My own password. A wrong current password is 403 `invalid_credentials` (this login stays valid);
    the other logins of the agent end."""
    key = f"password:{agent.agent_id}"
    try:
        state.throttle.check(key)
        async with state.db.write() as session:
            await accounts.change_password(session, agent, body.current_password, body.new_password)
    except DomainError as exc:
        if exc.code == ErrorCode.INVALID_CREDENTIALS:
            state.throttle.failed(key)
            raise_http(exc, 403)
        _refuse(exc)
    state.throttle.succeeded(key)
    await _close_logins(state, agent.agent_id, "password changed", keep_session=agent.session_id)
    return Response(status_code=204)


def _server_url(state: AppState, request: Request) -> str:
    """The public URL for the widget snippet: CHAT_PUBLIC_URL, else the URL this request came to."""
    return state.settings.public_url or str(request.base_url)


@router.get("/sites")
async def list_sites(_agent: CurrentAgent, state: State, request: Request) -> list[SiteInfo]:
    async with state.db.read() as session:
        found = await sites.list_sites(session)
    return [sites.site_info(_server_url(state, request), s) for s in found]


@router.post("/sites", status_code=201)
async def create_site(
    body: SiteInput, agent: CurrentAgent, actor: CurrentActor, state: State, request: Request
) -> SiteInfo:
    """Admins. Origins are normalised (`scheme://host[:port]`); one that is not is 422."""
    try:
        async with state.db.write() as session:
            site = await sites.add_site(session, agent, actor, body)
    except DomainError as exc:
        _refuse(exc)
    return sites.site_info(_server_url(state, request), site)


@router.put("/sites/{site_id}")
async def update_site(
    site_id: str, body: SiteInput, agent: CurrentAgent, actor: CurrentActor, state: State, request: Request
) -> SiteInfo:
    """Admins. New visitor sockets and page pushes use the new origins at once."""
    try:
        async with state.db.write() as session:
            site = await sites.update_site(session, agent, actor, site_id, body)
    except DomainError as exc:
        _refuse(exc)
    return sites.site_info(_server_url(state, request), site)
