"""Chat tags (`chat_protocol.tags`): admins define them (audited); whoever may read a chat's transcript
may set its tags, open or closed (`chats.agent_may_read`: the holder, the queue, a supervisor's scope,
closed chats under the archive rule); an admin may require a tag before an agent closes a chat."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Chat, ChatTag, TagRow, utcnow
from chat_backend.domain import audit, authz, chats
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.tag_rule import tag_ids_of
from chat_protocol import ErrorCode
from chat_protocol.tags import ChatTags, Tag, TagInput


def _tag(row: TagRow) -> Tag:
    return Tag(tag_id=row.id, name=row.name, colour=row.colour.lower())


async def list_tags(session: AsyncSession) -> list[Tag]:
    return [_tag(row) for row in (await session.scalars(select(TagRow).order_by(TagRow.name))).all()]


async def _free_name(session: AsyncSession, name: str, tag_id: str | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "The tag name is empty.")
    same = await session.scalars(select(TagRow.id).where(TagRow.name == name, TagRow.id != (tag_id or "")))
    if same.first() is not None:
        raise DomainError(ErrorCode.ALREADY_EXISTS, f"A tag named {name!r} exists.")
    return name


async def create_tag(session: AsyncSession, identity: AgentIdentity, actor: Actor, body: TagInput) -> Tag:
    authz.require_admin(actor)
    row = TagRow(
        id=str(uuid.uuid4()), name=await _free_name(session, body.name, None), colour=body.colour.lower()
    )
    session.add(row)
    await session.flush()
    tag = _tag(row)
    await audit.record(session, identity, "tag.create", row.id, None, tag.model_dump(mode="json"))
    return tag


async def update_tag(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, tag_id: str, body: TagInput
) -> Tag:
    authz.require_admin(actor)
    row = await session.get(TagRow, tag_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such tag.")
    before = _tag(row).model_dump(mode="json")
    row.name, row.colour = await _free_name(session, body.name, tag_id), body.colour.lower()
    tag = _tag(row)
    await audit.record(session, identity, "tag.update", tag_id, before, tag.model_dump(mode="json"))
    return tag


async def delete_tag(session: AsyncSession, identity: AgentIdentity, actor: Actor, tag_id: str) -> None:
    """The tag goes, and with it from every chat that had it."""
    authz.require_admin(actor)
    row = await session.get(TagRow, tag_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such tag.")
    before = _tag(row).model_dump(mode="json")
    await session.execute(delete(ChatTag).where(ChatTag.tag_id == tag_id))
    await session.delete(row)
    await audit.record(session, identity, "tag.delete", tag_id, before, None)


async def _readable_chat(session: AsyncSession, actor: Actor, chat_id: str) -> Chat:
    chat = await session.get(Chat, chat_id)
    if chat is None or not await chats.agent_may_read(session, actor, chat):
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    return chat


async def chat_tags(session: AsyncSession, actor: Actor, chat_id: str) -> ChatTags:
    await _readable_chat(session, actor, chat_id)
    return ChatTags(tag_ids=await tag_ids_of(session, chat_id))


async def set_chat_tags(session: AsyncSession, actor: Actor, chat_id: str, body: ChatTags) -> ChatTags:
    """Replace the chat's tags; unknown tag ids are refused (`not_found`), duplicates count once."""
    await _readable_chat(session, actor, chat_id)
    wanted = sorted(set(body.tag_ids))
    known = set((await session.scalars(select(TagRow.id).where(TagRow.id.in_(wanted)))).all())
    if known != set(wanted):
        raise DomainError(ErrorCode.NOT_FOUND, "No such tag.")
    current = set(await tag_ids_of(session, chat_id))
    gone = current - set(wanted)
    if gone:
        await session.execute(delete(ChatTag).where(ChatTag.chat_id == chat_id, ChatTag.tag_id.in_(gone)))
    now = utcnow()
    session.add_all(
        ChatTag(chat_id=chat_id, tag_id=tag_id, tagged_by=actor.agent_id, tagged_at=now)
        for tag_id in wanted
        if tag_id not in current
    )
    await session.flush()
    return ChatTags(tag_ids=wanted)
