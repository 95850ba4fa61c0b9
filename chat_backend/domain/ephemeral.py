"""Which chat an ephemeral push belongs to (typing, sneak peek), checked before it is relayed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Chat
from chat_backend.domain.errors import DomainError
from chat_protocol import ChatState, ErrorCode


async def typing_chat(session: AsyncSession, agent_id: str, chat_id: str) -> Chat:
    """The chat an agent types in: it must hold it now, else `forbidden`."""
    chat = await session.get(Chat, chat_id)
    if chat is None or chat.agent_id != agent_id or chat.state != ChatState.TAKEN.value:
        raise DomainError(ErrorCode.FORBIDDEN, "Not your chat.")
    return chat


async def chat_of_visitor_with_agent(session: AsyncSession, visitor_id: str) -> Chat | None:
    """The visitor's chat an agent has taken (where their sneak peek goes), if any."""
    found = await session.scalars(
        select(Chat).where(Chat.visitor_id == visitor_id, Chat.state == ChatState.TAKEN.value)
    )
    return found.first()
