"""`/api/v1/auth/*` and `/api/v1/me*`: logging in and out, tokens, and the signed-in agent."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from chat_backend.api.deps import CurrentAgent, State, close_logins, raise_http, raise_invalid
from chat_backend.domain import accounts, auth, chats
from chat_backend.domain.errors import DomainError
from chat_backend.realtime.connection import CLOSE_INVALID_TOKEN
from chat_protocol import ErrorCode
from chat_protocol.admin import PasswordChange
from chat_protocol.rest import LoginRequest, Me, RefreshRequest, TokenPair

router = APIRouter(prefix="/api/v1")


@router.post("/auth/login")
async def login(body: LoginRequest, request: Request, state: State) -> TokenPair:
    ip = request.client.host if request.client else "?"
    keys = (f"ip:{ip}", f"email:{body.email.strip().lower()}")
    try:
        state.throttle.check(*keys)
        async with state.db.write() as session:
            agent = await auth.find_agent(session, body.email)
            if not auth.verify_password(agent, body.password) or agent is None or not agent.active:
                state.throttle.failed(*keys)
                raise DomainError(ErrorCode.INVALID_CREDENTIALS, "Wrong e-mail address or password.")
            state.throttle.succeeded(keys[1])
            return await auth.issue_tokens(
                session, agent, state.settings.access_ttl, state.settings.refresh_ttl
            )
    except DomainError as exc:
        raise_http(exc)


@router.post("/auth/refresh")
async def refresh(body: RefreshRequest, state: State) -> TokenPair:
    try:
        async with state.db.write() as session:
            return await auth.refresh_tokens(
                session, body.refresh_token, state.settings.access_ttl, state.settings.refresh_ttl
            )
    except DomainError as exc:
        raise_http(exc)


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
    key = f"password:{agent.agent_id}"
    try:
        state.throttle.check(key)
        async with state.db.write() as session:
            await accounts.change_password(session, agent, body.current_password, body.new_password)
    except DomainError as exc:
        if exc.code == ErrorCode.INVALID_CREDENTIALS:
            state.throttle.failed(key)
            raise_http(exc, 403)
        raise_invalid(exc)
    state.throttle.succeeded(key)
    await close_logins(state, agent.agent_id, "password changed", keep_session=agent.session_id)
    return Response(status_code=204)
