"""`/api/v1/auth/*` and `/api/v1/me*`: logging in and out, tokens, and the signed-in agent.

Passwords are checked off the event loop and outside the write transaction (`PasswordWork`); only
issuing the tokens writes."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from chat_backend.api.deps import (
    CurrentAgent,
    State,
    close_logins,
    close_sessions,
    raise_http,
    raise_invalid,
)
from chat_backend.domain import accounts, auth, chats
from chat_backend.domain.errors import DomainError
from chat_backend.net import client_ip
from chat_backend.realtime.connection import CLOSE_INVALID_TOKEN
from chat_protocol import ErrorCode
from chat_protocol.admin import PasswordChange
from chat_protocol.rest import LoginRequest, Me, RefreshRequest, TokenPair

router = APIRouter(prefix="/api/v1")


@router.post("/auth/login")
async def login(body: LoginRequest, request: Request, state: State) -> TokenPair:
    """Failed logins are limited per IP and account, per IP and per account (429 `rate_limited` with
    Retry-After); 503 `rate_limited` when too many password checks are already waiting."""
    ip, email = client_ip(request.scope), auth.normal_email(body.email)
    try:
        state.limits.check_login(ip, email)
        async with state.db.read() as session:
            candidate = await auth.find_login(session, email)
        matches = await state.passwords.verify(candidate.password_hash if candidate else None, body.password)
        if candidate is None or not matches or not candidate.active:
            state.limits.login_failed(ip, email)
            raise DomainError(ErrorCode.INVALID_CREDENTIALS, "Wrong e-mail address or password.")
        async with state.db.write() as session:
            tokens = await auth.issue_login(
                session, candidate, state.settings.access_ttl, state.settings.refresh_ttl
            )
    except DomainError as exc:
        raise_http(exc)
    state.limits.login_succeeded(ip, email)
    return tokens


@router.post("/auth/refresh")
async def refresh(body: RefreshRequest, state: State) -> TokenPair:
    """A new pair for the refresh token, which is used up. Using it again revokes the whole login
    (every pair refreshed from the same login) and closes its sockets (4001)."""
    async with state.db.write() as session:
        outcome = await auth.refresh_tokens(
            session, body.refresh_token, state.settings.access_ttl, state.settings.refresh_ttl
        )
    if outcome.revoked:
        await close_sessions(state, outcome.agent_id, outcome.revoked, "refresh token reused")
    if outcome.tokens is None:
        raise_http(DomainError(ErrorCode.INVALID_TOKEN, outcome.message))
    return outcome.tokens


@router.post("/auth/logout", status_code=204)
async def logout(agent: CurrentAgent, state: State) -> Response:
    """Revokes this login and closes its sockets (code 4001)."""
    async with state.db.write() as session:
        await auth.revoke_session(session, agent.session_id)
    await state.hub.close_session(agent.session_id, CLOSE_INVALID_TOKEN, "logged out")
    return Response(status_code=204)


@router.get("/me")
async def get_me(agent: CurrentAgent, state: State) -> Me:
    async with state.db.read() as session:
        return await chats.me(session, agent)


@router.put("/me/password", status_code=204)
async def change_password(body: PasswordChange, agent: CurrentAgent, state: State) -> Response:
    """My own password. A wrong current password is 403 `invalid_credentials` (this login stays valid);
    the other logins of the agent end."""
    try:
        state.limits.check_password_change(agent.agent_id)
        async with state.db.read() as session:
            current_hash = await accounts.password_hash(session, agent.agent_id)
        if current_hash is None or not await state.passwords.verify(current_hash, body.current_password):
            state.limits.password_change_failed(agent.agent_id)
            raise_http(DomainError(ErrorCode.INVALID_CREDENTIALS, "The current password is wrong."), 403)
        accounts.check_new_password(body.current_password, body.new_password)
        new_hash = await state.passwords.hash(body.new_password)
        async with state.db.write() as session:
            await accounts.change_password(session, agent, current_hash, new_hash)
    except DomainError as exc:
        if exc.code == ErrorCode.INVALID_CREDENTIALS:
            raise_http(exc, 403)
        raise_invalid(exc)
    state.limits.password_change_succeeded(agent.agent_id)
    await close_logins(state, agent.agent_id, "password changed", keep_session=agent.session_id)
    return Response(status_code=204)
