"""Appending to the event log and reading it back as protocol models."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.engine import EVENTS_WRITTEN, ORDERED
from chat_backend.db.tables import Chat, EventRow, utcnow
from chat_backend.domain import archive
from chat_backend.domain.auth import as_utc
from chat_backend.domain.errors import DomainError
from chat_protocol import Author, AuthorKind, ChatState, ChatStateEvent, ErrorCode, MessageEvent, VisitorInfo
from chat_protocol.models import AnyEvent, CallEvent, CloseReason, NoteEvent, PagePushEvent, RatingEvent


def author_key(author: Author) -> str:
    return f"{author.kind.value}:{author.id or ''}"


async def append_event(
    session: AsyncSession,
    chat: Chat,
    kind: str,
    author: Author,
    *,
    text: str | None = None,
    data: dict[str, Any] | None = None,
    audience: str = "all",
    client_id: str | None = None,
) -> EventRow:
    """Write one durable event with the chat's next `seq`. Only inside `Database.write()` (the ordered
    path): there the ordering lock is held from before this id is drawn until the commit, so ids
    become visible in increasing order; a `write_quiet()` transaction is refused."""
    if not session.info.get(ORDERED):
        raise RuntimeError("append_event outside Database.write(): events must take the ordered path")
    chat.last_seq += 1
    row = EventRow(
        chat_id=chat.id,
        seq=chat.last_seq,
        kind=kind,
        audience=audience,
        author_kind=author.kind.value,
        author_id=author.id,
        author_name=author.name,
        author_key=author_key(author),
        client_id=client_id,
        text=text,
        data=data or {},
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    session.info[EVENTS_WRITTEN] = session.info.get(EVENTS_WRITTEN, 0) + 1
    await archive.on_event(session, chat, row)
    return row


async def find_by_client_id(session: AsyncSession, author: Author, client_id: str) -> EventRow | None:
    found = await session.scalars(
        select(EventRow).where(EventRow.author_key == author_key(author), EventRow.client_id == client_id)
    )
    return found.first()


async def find_retry(
    session: AsyncSession, author: Author, client_id: str, chat_id: str | None
) -> EventRow | None:
    """The event an earlier request with this `client_id` wrote (None: a new request). A retry answers
    what the first request did, so one that names another chat is refused: `client_id_conflict`."""
    existing = await find_by_client_id(session, author, client_id)
    if existing is not None and chat_id is not None and existing.chat_id != chat_id:
        raise DomainError(ErrorCode.CLIENT_ID_CONFLICT, "This client_id was already used for another chat.")
    return existing


async def max_event_id(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(EventRow.id), 0))) or 0)


def to_model(row: EventRow) -> AnyEvent:
    author = Author(kind=AuthorKind(row.author_kind), id=row.author_id, name=row.author_name)
    common: dict[str, Any] = {
        "event_id": row.id,
        "chat_id": row.chat_id,
        "seq": row.seq,
        "audience": row.audience,
        "created_at": as_utc(row.created_at),
        "author": author,
        "client_id": row.client_id,
    }
    data = row.data or {}
    if row.kind == "message":
        return MessageEvent(text=row.text or "", attachment=data.get("attachment"), **common)
    if row.kind == "note":
        return NoteEvent(text=row.text or "", **common)
    if row.kind == "rating":
        return RatingEvent(rating=data["rating"], comment=row.text or "", **common)
    if row.kind == "page_push":
        offer_seq = data.get("offer_seq")
        return PagePushEvent(
            url=str(data["url"]),
            state=data["state"],
            offer_seq=offer_seq if isinstance(offer_seq, int) else None,
            **common,
        )
    if row.kind == "call":
        duration = data.get("duration_s")
        return CallEvent(
            call_id=str(data["call_id"]),
            state=data["state"],
            reason=data.get("reason"),
            ended_by=data.get("ended_by"),
            duration_s=float(duration) if isinstance(duration, int | float) else None,
            **common,
        )
    agent = Author.model_validate(data["agent"]) if data.get("agent") else None
    visitor = VisitorInfo.model_validate(data["visitor"]) if data.get("visitor") else None
    moved_from = data.get("transferred_from")
    reason = data.get("reason")
    return ChatStateEvent(
        state=ChatState(str(data["state"])),
        agent=agent,
        visitor=visitor,
        assigned=bool(data.get("assigned")),
        transferred_from=Author.model_validate(moved_from) if moved_from else None,
        reason=CloseReason(str(reason)) if reason else None,
        group_id=str(data["group_id"]) if data.get("group_id") else None,
        **common,
    )
