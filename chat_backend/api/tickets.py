"""`/api/v1/tickets*` and tickets (a chat's ticket is made by
`POST /api/v1/chats/{chat_id}/ticket` in `api.chats`): (`chat_protocol.tickets`).
Who sees and acts on which ticket: docs/roles.md "Tickets" (`chat_backend.domain.tickets`). Every
change is answered after its commit, then announced to the agents who may see the ticket."""

from __future__ import annotations

import logging
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Response

from chat_backend.api.deps import AppState, CurrentActor, CurrentAgent, State, raise_http, raise_invalid
from chat_backend.domain import ticket_actions, ticket_views, tickets
from chat_backend.domain.errors import DomainError
from chat_backend.files.store import StoreError
from chat_backend.realtime import ticket_news
from chat_protocol.tickets import (
    TICKET_PAGE_MAX,
    TicketChange,
    TicketCreate,
    TicketDetail,
    TicketList,
    TicketMerge,
    TicketReply,
    TicketState,
)

router = APIRouter(prefix="/api/v1")
log = logging.getLogger(__name__)


@router.get("/tickets")
async def list_tickets(
    actor: CurrentActor,
    state: State,
    ticket_state: Annotated[TicketState | None, Query(alias="state")] = None,
    assignee: Annotated[str | None, Query(max_length=36)] = None,
    group_id: Annotated[str | None, Query(max_length=36)] = None,
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=TICKET_PAGE_MAX)] = 50,
) -> TicketList:
    """The tickets the caller sees, newest change first, with counts per state. `assignee`: an agent
    id, `me` or `none`; `q`: part of the subject, the requester's name or e-mail, or `#number`."""
    try:
        async with state.db.read() as session:
            return await ticket_views.list_tickets(
                session,
                actor,
                state=ticket_state,
                assignee=assignee,
                group_id=group_id,
                q=q,
                cursor=cursor,
                limit=limit,
            )
    except DomainError as exc:
        raise_invalid(exc)


@router.post("/tickets", status_code=201)
async def create_ticket(
    body: TicketCreate, agent: CurrentAgent, actor: CurrentActor, state: State
) -> TicketDetail:
    """An agent writes a ticket by hand; a retry with the same `client_id` answers the first one."""
    try:
        async with state.db.write() as session:
            ticket = await tickets.create_manual(session, agent, actor, body)
            ticket_id = ticket.id
        await ticket_news.announce(state.db, state.hub, ticket_id, "created")
        return await detail_of(state, actor, ticket_id)
    except DomainError as exc:
        raise_invalid(exc)


async def detail_of(
    state: State, actor: CurrentActor, ticket_id: str, just_changed: bool = False
) -> TicketDetail:
    async with state.db.read() as session:
        return await ticket_views.detail(session, actor, ticket_id, just_changed=just_changed)


@router.get("/tickets/{ticket_id}")
async def get_ticket(ticket_id: str, actor: CurrentActor, state: State) -> TicketDetail:
    """The ticket and its whole thread (replies with where their e-mail is)."""
    try:
        return await detail_of(state, actor, ticket_id)
    except DomainError as exc:
        raise_http(exc)


@router.get("/tickets/{ticket_id}/attachments/{attachment_id}", response_class=Response)
async def download_attachment(
    ticket_id: str, attachment_id: str, actor: CurrentActor, state: State
) -> Response:
    """A file from the visitor's e-mail, by the ticket rule: always a download (never shown inline,
    never sniffed, sandboxed if a browser opens it anyway)."""
    try:
        async with state.db.read() as session:
            row = await ticket_views.attachment(session, actor, ticket_id, attachment_id)
            filename, data, key = row.filename, row.data, row.storage_key
    except DomainError as exc:
        raise_http(exc)
    if key is not None:  # in the file store (migration 0020); older files carry their bytes
        data = await _stored(state, key)
    return Response(
        content=data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename or 'attachment', safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


async def _stored(state: AppState, key: str) -> bytes:
    """An e-mail's file from the store: 404 when it is gone, 503 when the store cannot be reached."""
    try:
        if state.files is None:
            raise StoreError("no file store")
        return await state.files.get(key)
    except KeyError as exc:
        log.warning("file store: a ticket's file is missing (%s)", key)
        raise HTTPException(404, detail={"code": "not_found", "message": "No such attachment."}) from exc
    except StoreError as exc:
        log.warning("file store: %s", exc)
        detail = {"code": "unavailable", "message": "Files cannot be fetched right now; please try again."}
        raise HTTPException(503, detail=detail) from exc


@router.post("/tickets/{ticket_id}/replies")
async def reply(
    ticket_id: str, body: TicketReply, agent: CurrentAgent, actor: CurrentActor, state: State
) -> TicketDetail:
    """An answer e-mailed to the requester (queued with the entry; retried until it goes). An open
    ticket becomes pending unless `state` says otherwise; an unassigned one is the replier's."""
    return await _act(state, actor, ticket_id, "reply", agent, body)


@router.post("/tickets/{ticket_id}/notes")
async def note(
    ticket_id: str, body: TicketReply, agent: CurrentAgent, actor: CurrentActor, state: State
) -> TicketDetail:
    """An internal note: agents read it, the visitor never does."""
    return await _act(state, actor, ticket_id, "note", agent, body)


@router.patch("/tickets/{ticket_id}")
async def change(
    ticket_id: str, body: TicketChange, agent: CurrentAgent, actor: CurrentActor, state: State
) -> TicketDetail:
    """State, assignee and group. `spam` also sets the visitor's spam mark."""
    return await _act(state, actor, ticket_id, "change", agent, body)


@router.post("/tickets/{ticket_id}/merge")
async def merge(
    ticket_id: str, body: TicketMerge, agent: CurrentAgent, actor: CurrentActor, state: State
) -> TicketDetail:
    """This ticket (a duplicate) goes into `into`; answers the kept ticket."""
    try:
        async with state.db.write_quiet() as session:
            kept = await ticket_actions.merge(session, agent, actor, ticket_id, body)
            kept_id = kept.id
        for changed in (ticket_id, kept_id):
            await ticket_news.announce(state.db, state.hub, changed, "changed")
        return await detail_of(state, actor, kept_id)
    except DomainError as exc:
        raise_invalid(exc)


Act = Literal["reply", "note", "change"]


async def _act(
    state: State,
    actor: CurrentActor,
    ticket_id: str,
    what: Act,
    agent: CurrentAgent,
    body: TicketReply | TicketChange,
) -> TicketDetail:
    try:
        async with state.db.write_quiet() as session:
            if what == "change":
                assert isinstance(body, TicketChange)
                await ticket_actions.change(session, agent, actor, ticket_id, body)
            else:
                assert isinstance(body, TicketReply)
                act = ticket_actions.reply if what == "reply" else ticket_actions.note
                await act(session, agent, actor, ticket_id, body)
        if what == "reply":
            state.mail_kick()
        await ticket_news.announce(state.db, state.hub, ticket_id, "changed")
        return await detail_of(state, actor, ticket_id, just_changed=True)
    except DomainError as exc:
        raise_invalid(exc)
