"""Who may watch a visitor's page (`watch_preview`), and whether the site allows it: the chat's holder,
or a supervisor or admin with the chat in scope (like its sneak peek); never when the site's `preview`
is `off`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Chat, Site
from chat_backend.domain import authz
from chat_backend.domain.errors import DomainError
from chat_protocol import ChatState, ErrorCode


async def watchable_chat(session: AsyncSession, agent_id: str, chat_id: str) -> tuple[Chat, Site]:
    """The chat and its site (whose `preview` is "consent" or "allowed"); `not_found` for a chat the agent
    may not see, `forbidden` for an agent's colleague's chat, when the chat is not taken or the site has previews off."""
    chat = await session.get(Chat, chat_id)
    if chat is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    if chat.agent_id != agent_id:
        actor = await authz.load_actor(session, agent_id)
        if not actor.supervises:
            raise DomainError(ErrorCode.FORBIDDEN, "Not your chat.")
        if not await authz.chat_in_scope(session, actor, chat):
            raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    if chat.state != ChatState.TAKEN.value:
        raise DomainError(ErrorCode.FORBIDDEN, "The chat is not open with an agent.")
    site = await session.get(Site, chat.site_id)
    if site is None or site.preview not in ("consent", "allowed"):
        raise DomainError(ErrorCode.FORBIDDEN, "Page preview is off for this site.")
    return chat, site
