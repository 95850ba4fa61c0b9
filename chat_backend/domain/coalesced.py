"""Writes of values where only the latest counts, many at once: visitor presence and read marks
(`chat_backend.realtime.coalesced_writes` collects them between two transactions)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Chat
from chat_backend.domain import handover

Reader = Literal["agent", "visitor"]
Presence = Literal["active", "inactive", "left"]


async def write_presence(session: AsyncSession, presence: dict[str, Presence]) -> list[tuple[Chat, Presence]]:
    """Record each visitor's presence on their open chats; the chats whose value changed, with it."""
    changed: list[tuple[Chat, Presence]] = []
    for visitor_id, value in presence.items():
        changed += [(chat, value) for chat in await handover.set_presence(session, visitor_id, value)]
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
