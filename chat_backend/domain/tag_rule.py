"""The tag rule of closing: admins may require at least one tag before an agent closes a chat
(`TagSettings`). Apart from `tags` so that `chats` may ask it without importing the tag admin."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import ChatTag
from chat_backend.domain import server_settings
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.tags import TagSettings

_SETTINGS_KEY = "tags"


async def tag_ids_of(session: AsyncSession, chat_id: str) -> list[str]:
    rows = await session.scalars(
        select(ChatTag.tag_id).where(ChatTag.chat_id == chat_id).order_by(ChatTag.tag_id)
    )
    return list(rows.all())


async def tag_settings(session: AsyncSession) -> TagSettings:
    return await server_settings.load(session, _SETTINGS_KEY, TagSettings)


async def save_tag_settings(session: AsyncSession, value: TagSettings) -> None:
    await server_settings.save(session, _SETTINGS_KEY, value)


async def require_tag_to_close(session: AsyncSession, chat_id: str) -> None:
    """Refuse an agent's close of an untagged chat while admins require a tag."""
    if not (await tag_settings(session)).require_tag_to_close:
        return
    if not await tag_ids_of(session, chat_id):
        raise DomainError(ErrorCode.TAG_REQUIRED, "Tag this chat before closing it.")
