"""`/api/v1`: an agent's snapshot, chat transcripts and tags, files sent into a chat, a chat's ticket,
and the offline messages visitors left."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Request, Response

from chat_backend.api import attachments as attachments_api
from chat_backend.api import tickets as tickets_api
from chat_backend.api.deps import CurrentActor, CurrentAgent, State, raise_http, raise_invalid
from chat_backend.domain import chats, exports, handover, routing, tags, tickets
from chat_backend.domain.errors import DomainError
from chat_backend.realtime import ticket_news
from chat_protocol import ErrorCode
from chat_protocol.bounds import DB_INT_MAX
from chat_protocol.rest import OfflineMessage, Snapshot, TranscriptPage
from chat_protocol.socket_payloads import MessageResult
from chat_protocol.tags import ChatTags
from chat_protocol.tickets import ChatTicketCreate, TicketDetail

router = APIRouter(prefix="/api/v1")


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
    after_seq: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> TranscriptPage:
    try:
        async with state.db.read() as session:
            return await chats.transcript(session, actor, chat_id, after_seq, limit)
    except DomainError as exc:
        raise_http(exc)


@router.get("/offline-messages")
async def list_offline_messages(_agent: CurrentAgent, state: State) -> list[OfflineMessage]:
    async with state.db.read() as session:
        return await handover.offline_messages(session)


@router.get("/chats/{chat_id}/tags")
async def get_chat_tags(chat_id: str, actor: CurrentActor, state: State) -> ChatTags:
    try:
        async with state.db.read() as session:
            return await tags.chat_tags(session, actor, chat_id)
    except DomainError as exc:
        raise_http(exc)


@router.put("/chats/{chat_id}/tags")
async def put_chat_tags(chat_id: str, body: ChatTags, actor: CurrentActor, state: State) -> ChatTags:
    """Replace the chat's tags: anyone who may read its transcript, open or closed."""
    try:
        async with state.db.write_quiet() as session:
            return await tags.set_chat_tags(session, actor, chat_id, body)
    except DomainError as exc:
        raise_http(exc)


Lang = Annotated[Literal["en", "ja"], Query(description="The language of the labels.")]
Zone = Annotated[str, Query(max_length=64, description="An IANA time zone for the times, e.g. Asia/Tokyo.")]


def attachment(filename: str, media_type: str, body: str) -> Response:
    """A download: never shown inline, never sniffed into another type."""
    return Response(
        body.encode("utf-8"),
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            "Cache-Control": "no-store",
        },
    )


@router.get("/chats/{chat_id}/export", response_class=Response)
async def export_transcript(
    chat_id: str,
    actor: CurrentActor,
    state: State,
    format: Annotated[Literal["text", "html"], Query()] = "text",  # noqa: A002 (the wire name)
    lang: Lang = "en",
    tz: Zone = "UTC",
) -> Response:
    """The transcript as a file, notes, calls, page pushes and rating included: whoever may read it."""
    try:
        async with state.db.read() as session:
            filename, media_type, body = await exports.transcript(session, actor, chat_id, format, lang, tz)
    except DomainError as exc:
        raise_http(exc, 422 if exc.code == ErrorCode.INVALID_PAYLOAD else None)
    return attachment(filename, media_type, body)


@router.post("/chats/{chat_id}/attachments", status_code=201)
async def send_attachment(
    chat_id: str,
    request: Request,
    agent: CurrentAgent,
    state: State,
    x_file_name: Annotated[str | None, Header()] = None,
    x_client_id: Annotated[str | None, Header()] = None,
) -> MessageResult:
    """Send a file into a chat the agent holds: the raw file as the body, its name in `X-File-Name`
    (percent-encoded), an idempotency key in `X-Client-Id` (`chat_protocol.attachments`)."""
    return await attachments_api.agent_upload(chat_id, request, agent, state, x_file_name, x_client_id)


@router.post("/chats/{chat_id}/ticket", status_code=201)
async def ticket_from_chat(
    chat_id: str, body: ChatTicketCreate, agent: CurrentAgent, actor: CurrentActor, state: State
) -> TicketDetail:
    """A ticket from a chat the caller may read, its transcript as the first entry."""
    try:
        async with state.db.write() as session:
            ticket = await tickets.from_chat(session, agent, actor, chat_id, body)
            ticket_id = ticket.id
        await ticket_news.announce(state.db, state.hub, ticket_id, "created")
        return await tickets_api.detail_of(state, actor, ticket_id)
    except DomainError as exc:
        raise_invalid(exc)
