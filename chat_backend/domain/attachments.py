"""Attachments: the admin's limits, who may send a file into which chat, writing the file's message
with its row, and who may fetch it (`docs/roles.md`, "Attachments").

The bytes are put into the file store before the transaction that records them; a transaction that
fails leaves keys no row names, which the caller deletes (`AttachmentRefs.keys`)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.file_tables import AttachmentRow, FileDeletionRow
from chat_backend.db.tables import Chat, Visitor, utcnow
from chat_backend.domain import authz, chats, server_settings, supervision, visitors
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import append_event, author_key, find_retry
from chat_protocol import ErrorCode
from chat_protocol.attachments import AttachmentInfo, AttachmentSettings
from chat_protocol.models import Author, ChatState, MessageEvent

if TYPE_CHECKING:
    from chat_backend.files.inspect import Inspected

_SETTINGS_KEY = "attachments"


async def attachment_settings(session: AsyncSession) -> AttachmentSettings:
    return await server_settings.load(session, _SETTINGS_KEY, AttachmentSettings)


async def save_attachment_settings(session: AsyncSession, value: AttachmentSettings) -> None:
    await server_settings.save(session, _SETTINGS_KEY, value)
    _cache.clear()


# Visitor logins tell the widget the limits; they read them at most this often per node.
_CACHE_SECONDS = 10.0
_cache: dict[str, tuple[float, AttachmentSettings]] = {}


async def cached_settings(session: AsyncSession) -> AttachmentSettings:
    """The limits as read within the last few seconds on this node (an admin's change reaches every
    node's widgets within `_CACHE_SECONDS`; uploads always check the current ones)."""
    now = time.monotonic()
    found = _cache.get(_SETTINGS_KEY)
    if found is None or now - found[0] > _CACHE_SECONDS:
        found = _cache[_SETTINGS_KEY] = (now, await attachment_settings(session))
    return found[1]


@dataclass(frozen=True)
class StoredFile:
    """A file inspected and put into the store, not yet recorded."""

    attachment_id: str
    inspected: Inspected
    storage_key: str
    thumbnail_key: str | None

    @property
    def keys(self) -> list[str]:
        return [self.storage_key, *([self.thumbnail_key] if self.thumbnail_key else [])]

    def info(self) -> AttachmentInfo:
        found = self.inspected
        return AttachmentInfo(
            attachment_id=self.attachment_id,
            name=found.name,
            size=len(found.data),
            content_type=found.content_type,
            category=found.category,
            width=found.width,
            height=found.height,
            thumbnail=self.thumbnail_key is not None,
        )


def new_attachment_id() -> str:
    return str(uuid.uuid4())


# --- who may send into which chat -------------------------------------------------------------------


async def agent_retry(
    session: AsyncSession, agent: AgentIdentity, chat_id: str, client_id: str
) -> MessageEvent | None:
    """The message an earlier upload with this `client_id` wrote (a retry answers it again)."""
    existing = await find_retry(session, chats.agent_author(agent), client_id, chat_id)
    return chats.as_message(existing) if existing is not None else None


async def visitor_of_token(session: AsyncSession, site_id: str, token: str, origin: str | None) -> str:
    """The id of the visitor behind `token` on the site, asking from one of the site's origins."""
    site = await visitors.site_for_origin(session, site_id, origin)
    return (await visitors.visitor_by_token(session, site, token)).id


async def _visitor(session: AsyncSession, visitor_id: str) -> Visitor:
    visitor = await session.get(Visitor, visitor_id)
    if visitor is None:
        raise DomainError(ErrorCode.INVALID_TOKEN, "Unknown visitor token.")
    return visitor


async def visitor_retry(
    session: AsyncSession, visitor_id: str, chat_id: str, client_id: str
) -> MessageEvent | None:
    author = chats.visitor_author(await _visitor(session, visitor_id))
    existing = await find_retry(session, author, client_id, chat_id)
    return chats.as_message(existing) if existing is not None else None


async def agent_chat(session: AsyncSession, agent: AgentIdentity, chat_id: str) -> Chat:
    """The chat the agent sends a file into: as for a message, one they hold or joined as a supervisor
    (`supervision.writable_chat`)."""
    return await supervision.writable_chat(
        session, agent, await authz.load_actor(session, agent.agent_id), chat_id
    )


async def visitor_chat(session: AsyncSession, visitor_id: str, chat_id: str) -> tuple[Chat, Author]:
    """The visitor's own open chat (a file cannot open a chat: the first message does), and the
    visitor as its author."""
    visitor = await _visitor(session, visitor_id)
    chats.refuse_if_spam(visitor)
    chat = await session.get(Chat, chat_id)
    if chat is None or chat.visitor_id != visitor.id:
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    if chat.state == ChatState.CLOSED.value:
        raise DomainError(ErrorCode.CHAT_CLOSED, "The chat has ended.")
    return chat, chats.visitor_author(visitor)


async def record(
    session: AsyncSession, chat: Chat, author: Author, client_id: str, stored: StoredFile
) -> MessageEvent:
    """The file's message and its row, in the caller's (ordered) transaction."""
    info = stored.info()
    if author.kind.value == "visitor":
        chat.last_visitor_activity_at = utcnow()
    row = await append_event(
        session,
        chat,
        "message",
        author,
        text="",
        data={"attachment": info.model_dump(mode="json")},
        client_id=client_id,
    )
    session.add(
        AttachmentRow(
            id=stored.attachment_id,
            chat_id=chat.id,
            event_id=row.id,
            author_key=author_key(author),
            name=info.name,
            content_type=info.content_type,
            category=info.category,
            size=info.size,
            width=info.width,
            height=info.height,
            storage_key=stored.storage_key,
            thumbnail_key=stored.thumbnail_key,
        )
    )
    return chats.as_message(row)


async def record_once(
    write: Callable[[], Awaitable[MessageEvent]],
    again: Callable[[], Awaitable[MessageEvent | None]],
    forget: Callable[[], Awaitable[None]],
) -> MessageEvent:
    """Record a stored file (`write`); when that fails its bytes go (`forget`). Two uploads with the
    same `client_id` at once: the one that loses the race answers what the other recorded (`again`)."""
    try:
        return await write()
    except IntegrityError:
        await forget()
        existing = await again()
        if existing is None:
            raise
        return existing
    except BaseException:
        await forget()
        raise


# --- who may fetch a file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FileRef:
    """Where a file's bytes are, and how to serve them."""

    name: str
    content_type: str
    storage_key: str
    thumbnail_key: str | None


def _ref(row: AttachmentRow) -> FileRef:
    return FileRef(row.name, row.content_type, row.storage_key, row.thumbnail_key)


async def for_agent(session: AsyncSession, actor: Actor, attachment_id: str) -> FileRef:
    """A chat's file, for an agent who may read that chat's transcript (the same rule: my chats, the
    queue, colleagues' live chats in my supervision scope, closed chats by the archive rule). Anything
    else is `not_found`, as for a chat the agent may not read."""
    row = await session.get(AttachmentRow, attachment_id)
    chat = await session.get(Chat, row.chat_id) if row is not None else None
    if row is None or chat is None or not await chats.agent_may_read(session, actor, chat):
        raise DomainError(ErrorCode.NOT_FOUND, "No such file.")
    return _ref(row)


async def for_visitor(session: AsyncSession, visitor_id: str, attachment_id: str) -> FileRef:
    """A file of one of the visitor's own chats (every file of a chat is meant for everyone in it)."""
    row = await session.get(AttachmentRow, attachment_id)
    chat = await session.get(Chat, row.chat_id) if row is not None else None
    if row is None or chat is None or chat.visitor_id != visitor_id:
        raise DomainError(ErrorCode.NOT_FOUND, "No such file.")
    return _ref(row)


# --- deleting --------------------------------------------------------------------------------------


async def forget_chats(session: AsyncSession, chat_ids: Sequence[str]) -> int:
    """These chats' files go with them: their rows now, their bytes once this transaction committed
    (`sweep`: the keys wait in `file_deletions`). How many files."""
    if not chat_ids:
        return 0
    found = await session.execute(
        select(AttachmentRow.storage_key, AttachmentRow.thumbnail_key).where(
            AttachmentRow.chat_id.in_(chat_ids)
        )
    )
    keys = [key for pair in found.all() for key in pair if key]
    await forget_keys(session, keys)
    await session.execute(delete(AttachmentRow).where(AttachmentRow.chat_id.in_(chat_ids)))
    return len(keys)


async def forget_keys(session: AsyncSession, keys: Sequence[str]) -> None:
    """Store keys to delete once this transaction committed."""
    for key in dict.fromkeys(keys):
        if await session.get(FileDeletionRow, key) is None:
            session.add(FileDeletionRow(key=key))


async def keys_to_delete(session: AsyncSession, limit: int) -> list[str]:
    found = await session.scalars(
        select(FileDeletionRow.key).order_by(FileDeletionRow.created_at).limit(limit)
    )
    return list(found.all())


async def keys_deleted(session: AsyncSession, keys: Sequence[str]) -> None:
    await session.execute(delete(FileDeletionRow).where(FileDeletionRow.key.in_(keys)))
