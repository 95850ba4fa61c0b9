"""`/api/v1`: server info, authentication, me, snapshot and transcripts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from chat_backend import __version__
from chat_backend.api.deps import CurrentActor, CurrentAgent, State, raise_http
from chat_backend.domain import auth, chats, routing
from chat_backend.domain.errors import DomainError
from chat_backend.realtime.connection import CLOSE_INVALID_TOKEN
from chat_protocol import PROTOCOL_VERSION, ErrorCode
from chat_protocol.rest import (
    LoginRequest,
    Me,
    RefreshRequest,
    ServerInfo,
    Snapshot,
    TokenPair,
    TranscriptPage,
)

router = APIRouter(prefix="/api/v1")


@router.get("/info")
async def info() -> ServerInfo:
    return ServerInfo(version=__version__, protocol=PROTOCOL_VERSION)


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


@router.get("/snapshot")
async def get_snapshot(agent: CurrentAgent, state: State) -> Snapshot:
    async with state.db.read() as session:
        snapshot = await chats.snapshot(session, agent)
        # The app's timings (status circles, idle away, queue reminders) come with the snapshot.
        snapshot.routing = await routing.routing_settings(session)
        return snapshot


@router.get("/chats/{chat_id}/events")
async def get_transcript(
    chat_id: str,
    actor: CurrentActor,
    state: State,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> TranscriptPage:
    try:
        async with state.db.read() as session:
            return await chats.transcript(session, actor, chat_id, after_seq, limit)
    except DomainError as exc:
        raise_http(exc)
