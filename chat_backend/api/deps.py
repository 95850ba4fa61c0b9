"""Shared request plumbing: the app state, the current agent, domain errors as HTTP errors, and ending
an agent's logins."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, NoReturn

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chat_backend.db.engine import Database
from chat_backend.domain import authz
from chat_backend.domain.auth import AgentIdentity, resolve_access_token
from chat_backend.domain.errors import DomainError
from chat_backend.domain.login_limits import LoginLimits
from chat_backend.domain.passwords import PasswordWork, ServerBusy
from chat_backend.files.store import FileStore
from chat_backend.realtime.connection import CLOSE_INVALID_TOKEN
from chat_backend.realtime.hub import Hub
from chat_backend.realtime.router import Router
from chat_backend.realtime.traffic_list import TrafficList
from chat_backend.settings import Settings
from chat_protocol import ErrorCode

_STATUS = {
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.INVALID_TOKEN: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.ALREADY_EXISTS: 409,
}


@dataclass
class AppState:
    settings: Settings
    db: Database
    hub: Hub
    limits: LoginLimits
    passwords: PasswordWork
    router: Router
    traffic: TrafficList
    # Wakes the mail job at once (a reply was queued); it also looks every few seconds.
    mail_kick: Callable[[], None] = field(default=lambda: None)
    # Wakes the IMAP job (e-mail in) at once: the e-mail settings changed.
    inbox_kick: Callable[[], None] = field(default=lambda: None)
    # Where attachments' bytes live, and how many files are inspected (decoded, re-encoded) at once.
    files: FileStore | None = None
    file_work: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))
    uploads_reading: int = 0  # upload bodies read or held until stored on this node (`api.attachments`)


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.chat
    return state


State = Annotated[AppState, Depends(get_state)]
_bearer = HTTPBearer(auto_error=False)


def raise_http(exc: DomainError, status: int | None = None) -> NoReturn:
    """`status` overrides the code's usual HTTP status (a wrong current password is 403, not 401)."""
    status = status or (503 if isinstance(exc, ServerBusy) else _STATUS.get(exc.code, 400))
    headers = {"Retry-After": str(int(exc.retry_after) + 1)} if exc.retry_after else None
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    detail = {"code": exc.code.value, "message": exc.message}
    raise HTTPException(status, detail=detail, headers=headers) from exc


def raise_invalid(exc: DomainError) -> NoReturn:
    """A bad value in an accepted body (an origin, an e-mail address) is 422, like pydantic's refusals."""
    raise_http(exc, 422 if exc.code == ErrorCode.INVALID_PAYLOAD else None)


async def current_agent(
    state: State, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> AgentIdentity:
    if credentials is None:
        raise_http(DomainError(ErrorCode.INVALID_TOKEN, "Authorization: Bearer <access token> is required."))
    try:
        async with state.db.read() as session:
            return await resolve_access_token(session, credentials.credentials)
    except DomainError as exc:
        raise_http(exc)


CurrentAgent = Annotated[AgentIdentity, Depends(current_agent)]


async def current_actor(state: State, agent: CurrentAgent) -> authz.Actor:
    """The agent's role and groups as they are now (docs/roles.md)."""
    try:
        async with state.db.read() as session:
            return await authz.load_actor(session, agent.agent_id)
    except DomainError as exc:
        raise_http(exc)


CurrentActor = Annotated[authz.Actor, Depends(current_actor)]


def admin_only(agent: AgentIdentity) -> None:
    """403 `forbidden` unless the agent is an admin now (the role is read with the token)."""
    try:
        authz.require_admin(authz.Actor(agent.agent_id, agent.role, frozenset()))
    except DomainError as exc:
        raise_http(exc)


async def close_logins(state: AppState, agent_id: str, reason: str, keep_session: str | None = None) -> None:
    """Close the agent's sockets on every node (4001), except those of the login `keep_session`."""
    await state.hub.close_agent_sockets(
        CLOSE_INVALID_TOKEN, reason, agent_id=agent_id, keep_session=keep_session
    )


async def close_sessions(state: AppState, agent_id: str, session_ids: frozenset[str], reason: str) -> None:
    """Close the agent's sockets on every node (4001) that logged in with one of `session_ids`."""
    await state.hub.close_agent_sockets(CLOSE_INVALID_TOKEN, reason, agent_id=agent_id, sessions=session_ids)
