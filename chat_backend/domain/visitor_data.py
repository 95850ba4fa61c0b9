"""A visitor's data on request, and the retention of closed chats (`chat_protocol.archive`).

An admin exports everything the product holds about one visitor as JSON, or deletes it all: the
profile, visits and page views, offline messages, invitations, and every chat with its events,
notes, calls, tags and archive entries. Both are audited (the audit entry holds counts, never the
data). A visitor who is on the site (a live socket on any node) or has a chat open is not deleted:
the admin tries again once they have left.

The retention job deletes closed chats older than the admins' `RetentionSettings` in batches;
invitations that led to such a chat stay (the greeting figures count them) without the chat.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.file_tables import AttachmentRow
from chat_backend.db.tables import (
    CallRow,
    Chat,
    ChatTag,
    EventRow,
    InvitationRow,
    OfflineMessageRow,
    PageViewRow,
    Visit,
    Visitor,
)
from chat_backend.db.ticket_tables import TicketEntryRow, TicketRow
from chat_backend.domain import archive, attachments, audit, authz, server_settings, tickets
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import to_model
from chat_protocol import ChatState, ErrorCode
from chat_protocol.archive import RetentionSettings, VisitorDeleted

_RETENTION_KEY = "retention"
RETENTION_BATCH = 200


async def retention_settings(session: AsyncSession) -> RetentionSettings:
    return await server_settings.load(session, _RETENTION_KEY, RetentionSettings)


async def save_retention_settings(session: AsyncSession, value: RetentionSettings) -> None:
    await server_settings.save(session, _RETENTION_KEY, value)


async def delete_chats(session: AsyncSession, chat_ids: Sequence[str]) -> None:
    """Every row of these chats, archive included (the chats must be closed or their visitor gone)."""
    if not chat_ids:
        return
    ids = list(chat_ids)

    def forget_all(sync: Any) -> None:
        for chat_id in ids:
            archive.forget(sync.connection(), chat_id)

    await session.run_sync(forget_all)
    await attachments.forget_chats(session, ids)  # their bytes go after the commit (`sweep_files`)
    await session.execute(delete(ChatTag).where(ChatTag.chat_id.in_(ids)))
    await session.execute(delete(CallRow).where(CallRow.chat_id.in_(ids)))
    await session.execute(update(InvitationRow).where(InvitationRow.chat_id.in_(ids)).values(chat_id=None))
    await session.execute(delete(EventRow).where(EventRow.chat_id.in_(ids)))
    await session.execute(delete(Chat).where(Chat.id.in_(ids)))


async def purge_closed_chats(session: AsyncSession, now: datetime) -> int:
    """One batch of closed chats past the retention; how many went (0: none left, or kept forever)."""
    days = (await retention_settings(session)).closed_chat_days
    if days is None:
        return 0
    cutoff = now - timedelta(days=days)
    ids = (
        await session.scalars(
            select(Chat.id)
            .where(Chat.state == ChatState.CLOSED.value, Chat.closed_at < cutoff)
            .limit(RETENTION_BATCH)
        )
    ).all()
    await delete_chats(session, ids)
    return len(ids)


def _row(row: Any, *skip: str) -> dict[str, Any]:
    out = {}
    for column in row.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(row, column.key)
        out[column.key] = as_utc(value).isoformat() if isinstance(value, datetime) else value
    return out


async def _visitor(session: AsyncSession, actor: Actor, visitor_id: str) -> Visitor:
    authz.require_admin(actor)
    visitor = await session.get(Visitor, visitor_id)
    if visitor is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such visitor.")
    return visitor


async def export_visitor(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, visitor_id: str
) -> dict[str, Any]:
    """Everything held about the visitor, as JSON-ready data (the token's hash is not theirs to see)."""
    visitor = await _visitor(session, actor, visitor_id)
    chats = (
        await session.scalars(select(Chat).where(Chat.visitor_id == visitor_id).order_by(Chat.created_at))
    ).all()
    chat_data = []
    for chat in chats:
        rows = (
            await session.scalars(select(EventRow).where(EventRow.chat_id == chat.id).order_by(EventRow.seq))
        ).all()
        chat_data.append(
            {
                **_row(chat, "last_seq", "visitor_read_seq", "agent_read_seq", "previous_agent_ids"),
                "events": [to_model(r).model_dump(mode="json") for r in rows],
                "attachments": await _attachments(session, chat.id),
            }
        )

    async def all_of(model: Any, *skip: str) -> list[dict[str, Any]]:
        found = await session.scalars(select(model).where(model.visitor_id == visitor_id))
        return [_row(row, *skip) for row in found.all()]

    data = {
        "visitor": _row(visitor, "token_hash"),
        "visits": await all_of(Visit),
        "page_views": await all_of(PageViewRow),
        "chats": chat_data,
        "offline_messages": await all_of(OfflineMessageRow),
        "invitations": await all_of(InvitationRow, "author_key", "client_id"),
        "calls": await all_of(CallRow, "client_id"),
        "tickets": await _tickets(session, visitor_id),
    }
    counts = {key: len(value) for key, value in data.items() if isinstance(value, list)}
    await audit.record(session, identity, "visitor.export", visitor_id, None, counts)
    return data


async def _attachments(session: AsyncSession, chat_id: str) -> list[dict[str, Any]]:
    """The chat's files, described (their bytes are not part of the export)."""
    found = await session.scalars(
        select(AttachmentRow).where(AttachmentRow.chat_id == chat_id).order_by(AttachmentRow.created_at)
    )
    return [
        {
            "attachment_id": row.id,
            "name": row.name,
            "content_type": row.content_type,
            "size": row.size,
            "created_at": as_utc(row.created_at).isoformat(),
        }
        for row in found.all()
    ]


async def _tickets(session: AsyncSession, visitor_id: str) -> list[dict[str, Any]]:
    """The visitor's tickets with their threads (attachments by name and size, not their bytes)."""
    found = await session.scalars(select(TicketRow).where(TicketRow.visitor_id == visitor_id))
    out = []
    for ticket in found.all():
        entries = await session.scalars(select(TicketEntryRow).where(TicketEntryRow.ticket_id == ticket.id))
        out.append(
            {
                **_row(ticket, "created_by", "client_id"),
                "entries": [_row(e, "client_id") for e in entries.all()],
            }
        )
    return out


async def delete_visitor(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, visitor_id: str, online: bool
) -> VisitorDeleted:
    visitor = await _visitor(session, actor, visitor_id)
    chat_ids = (await session.scalars(select(Chat.id).where(Chat.visitor_id == visitor_id))).all()
    states = set((await session.scalars(select(Chat.state).where(Chat.id.in_(chat_ids)))).all())
    if online or states - {ChatState.CLOSED.value}:
        raise DomainError(
            ErrorCode.FORBIDDEN, "The visitor is on the website or chatting: try again once they have left."
        )
    page_views = await session.scalar(select(func.count()).where(PageViewRow.visitor_id == visitor_id)) or 0
    offline = (
        await session.scalar(select(func.count()).where(OfflineMessageRow.visitor_id == visitor_id)) or 0
    )
    await delete_chats(session, chat_ids)
    await session.execute(delete(PageViewRow).where(PageViewRow.visitor_id == visitor_id))
    await session.execute(delete(Visit).where(Visit.visitor_id == visitor_id))
    await tickets.forget_visitor(session, visitor_id)
    await session.execute(delete(OfflineMessageRow).where(OfflineMessageRow.visitor_id == visitor_id))
    await session.execute(delete(InvitationRow).where(InvitationRow.visitor_id == visitor_id))
    await session.execute(delete(CallRow).where(CallRow.visitor_id == visitor_id))
    number = visitor.number
    await session.delete(visitor)
    result = VisitorDeleted(
        visitor_id=visitor_id, chats=len(chat_ids), page_views=int(page_views), offline_messages=int(offline)
    )
    summary = {"number": number, **result.model_dump(exclude={"visitor_id"})}
    await audit.record(session, identity, "visitor.delete", visitor_id, summary, None)
    return result
