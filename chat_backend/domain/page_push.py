"""Page push: the agent of a chat offers the visitor a page of the site's own origins; the visitor
answers. Both are durable `page_push` events in the chat, idempotent by `client_id`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Chat, EventRow, Site, Visitor
from chat_backend.domain.auth import AgentIdentity
from chat_backend.domain.chats import agent_author, open_chat_of, visitor_author
from chat_backend.domain.errors import DomainError
from chat_backend.domain.events import append_event, find_by_client_id, find_retry, to_model
from chat_protocol import ChatState, ErrorCode
from chat_protocol.models import PagePushEvent
from chat_protocol.traffic import page_allowed

KIND = "page_push"


def as_page_push(row: EventRow) -> PagePushEvent:
    model = to_model(row)
    if not isinstance(model, PagePushEvent):
        raise DomainError(ErrorCode.CLIENT_ID_CONFLICT, "This client_id was already used for another action.")
    return model


def refusal(origins: list[str]) -> DomainError:
    allowed = ", ".join(origins) or "none configured"
    return DomainError(
        ErrorCode.PAGE_NOT_ALLOWED, f"Pages can only be pushed to this site's own addresses ({allowed})."
    )


async def offer(
    session: AsyncSession, agent: AgentIdentity, chat_id: str, client_id: str, url: str
) -> PagePushEvent:
    """Offer `url` to the visitor of a chat the agent holds; refused unless it is on the site's origins."""
    author = agent_author(agent)
    existing = await find_retry(session, author, client_id, chat_id)
    if existing is not None:
        return as_page_push(existing)
    chat = await session.get(Chat, chat_id)
    if chat is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    if chat.state != ChatState.TAKEN.value or chat.agent_id != agent.agent_id:
        raise DomainError(ErrorCode.FORBIDDEN, "Only the agent holding the chat can show the visitor a page.")
    site = await session.get(Site, chat.site_id)
    origins = list(site.origins or []) if site else []
    if not page_allowed(url, origins):
        raise refusal(origins)
    row = await append_event(
        session, chat, KIND, author, data={"url": url, "state": "offered"}, client_id=client_id
    )
    return as_page_push(row)


async def answer(
    session: AsyncSession, visitor: Visitor, client_id: str, seq: int, accept: bool
) -> PagePushEvent:
    """The visitor opens the offered page or not. Answering an offer again returns the first answer."""
    author = visitor_author(visitor)
    existing = await find_by_client_id(session, author, client_id)
    if existing is not None:
        return as_page_push(existing)
    chat = await open_chat_of(session, visitor.id)
    if chat is None:
        raise DomainError(ErrorCode.CHAT_CLOSED, "There is no open chat.")
    offered = (
        await session.scalars(
            select(EventRow).where(EventRow.chat_id == chat.id, EventRow.seq == seq, EventRow.kind == KIND)
        )
    ).first()
    if offered is None or (offered.data or {}).get("state") != "offered":
        raise DomainError(ErrorCode.NOT_FOUND, "No such page offer in your chat.")
    answers = await session.scalars(
        select(EventRow)
        .where(EventRow.chat_id == chat.id, EventRow.kind == KIND, EventRow.seq > seq)
        .order_by(EventRow.seq)
    )
    for row in answers.all():
        if (row.data or {}).get("offer_seq") == seq:
            return as_page_push(row)
    data = {"url": offered.data["url"], "state": "accepted" if accept else "declined", "offer_seq": seq}
    row = await append_event(session, chat, KIND, author, data=data, client_id=client_id)
    return as_page_push(row)
