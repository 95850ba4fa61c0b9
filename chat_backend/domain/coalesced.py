"""Writes of values where only the latest counts, many at once: visitor presence and read marks
(`chat_backend.realtime.coalesced_writes` collects them between two transactions)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Chat, utcnow
from chat_backend.domain import chats, handover

# Ids per IN (...) list: well under every driver's limit of bound parameters.
_IN_CHUNK = 500

Reader = Literal["agent", "visitor"]
Presence = Literal["active", "inactive", "left"]


async def write_presence(session: AsyncSession, presence: dict[str, Presence]) -> list[tuple[Chat, Presence]]:
    """Record each visitor's presence on their open chats (as `handover.set_presence` does for one);
    the chats whose value changed, with it. One query finds the open chats of every visitor: most
    visitors have none, and a reconnect storm queues thousands."""
    changed: list[tuple[Chat, Presence]] = []
    now = utcnow()
    for start in range(0, len(presence), _IN_CHUNK):
        visitor_ids = list(presence)[start : start + _IN_CHUNK]
        found = await session.scalars(
            select(Chat)
            .where(Chat.visitor_id.in_(visitor_ids), Chat.state.in_(chats.OPEN_STATES))
            .order_by(Chat.id)
        )
        for chat in found.all():
            value = presence[chat.visitor_id]
            if value == "active":
                chat.last_visitor_activity_at = now
            if chat.visitor_presence != value:
                chat.visitor_presence = value
                changed.append((chat, value))
    return changed


async def write_read_marks(
    session: AsyncSession, marks: dict[tuple[str, Reader], int]
) -> list[tuple[Chat, Reader, int]]:
    """Raise each (chat, reader) read mark to its seq (never lowering it); the chats with their new
    marks (gone chats are skipped)."""
    ids = {chat_id for chat_id, _reader in marks}
    found = {chat.id: chat for chat in (await session.scalars(select(Chat).where(Chat.id.in_(ids)))).all()}
    written: list[tuple[Chat, Reader, int]] = []
    for (chat_id, reader), seq in marks.items():
        chat = found.get(chat_id)
        if chat is not None:
            written.append((chat, reader, await handover.mark_read(session, chat, reader, seq)))
    return written
