"""Visitors: anonymous identities bound to one site by an opaque token the widget keeps; what the site
tells about them (`identify()`, custom data, the cart), agents' corrections, the spam mark, and their
profile."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Agent, Chat, PageViewRow, Site, Visit, Visitor, utcnow
from chat_backend.domain import audit, chats
from chat_backend.domain.auth import AgentIdentity, as_utc, token_hash
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.location import approximate_location
from chat_backend.domain.sites import origin_allowed
from chat_backend.domain.traffic import device_class_of
from chat_protocol import ErrorCode
from chat_protocol.traffic import (
    Cart,
    IdentifyRequest,
    PageViewRecord,
    SpamMark,
    TrafficRow,
    VisitorProfile,
    VisitorUpdate,
    VisitRecord,
)

HISTORY_VISITS = 20
PAGES_PER_VISIT = 200
PREVIOUS_CHATS = 50


# Built once (every visitor login runs it): cheaper than `session.get`, which builds its select anew.
_SITE_BY_ID = select(Site).where(Site.id == bindparam("site_id"))


async def site_for_origin(session: AsyncSession, site_id: str, origin: str | None) -> Site:
    site = (await session.scalars(_SITE_BY_ID, {"site_id": site_id})).first()
    if site is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Unknown site.")
    if not origin_allowed(site, origin):
        raise DomainError(ErrorCode.ORIGIN_NOT_ALLOWED, "This page's origin is not allowed for the site.")
    return site


async def visitor_by_token(session: AsyncSession, site: Site, token: str) -> Visitor:
    """The visitor behind `token` on this site (a visitor login reads it with more: `login_reads`)."""
    found = await session.scalars(select(Visitor).where(Visitor.token_hash == token_hash(token)))
    visitor = found.first()
    if visitor is None or visitor.site_id != site.id:
        raise DomainError(ErrorCode.INVALID_TOKEN, "Unknown visitor token.")
    return visitor


def new_token() -> tuple[str, str]:
    """A new visitor token and its hash (what is stored)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


async def visitor_login(session: AsyncSession, site: Site, token: str | None) -> tuple[Visitor, str]:
    """The visitor behind `token` on this site, or a new one (with a new token) when `token` is None,
    in the caller's transaction (the socket's login uses `login_reads` and a batched insert)."""
    if token:
        visitor = await visitor_by_token(session, site, token)
        visitor.last_seen_at = utcnow()
        return visitor, token
    token = secrets.token_urlsafe(32)
    number = await session.scalar(
        select(func.coalesce(func.max(Visitor.number), 0)).where(Visitor.site_id == site.id)
    )
    visitor = Visitor(
        id=str(uuid.uuid4()),
        site_id=site.id,
        number=int(number or 0) + 1,
        token_hash=token_hash(token),
        name="",
    )
    session.add(visitor)
    await session.flush()
    return visitor, token


async def visitor_by_id(session: AsyncSession, visitor_id: str) -> Visitor:
    """The visitor, or `not_found`."""
    visitor = await session.get(Visitor, visitor_id)
    if visitor is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such visitor.")
    return visitor


async def identify(session: AsyncSession, visitor_id: str, who: IdentifyRequest) -> Visitor:
    """`identify()`: fields the site gives replace ours; empty ones leave ours alone."""
    visitor = await visitor_by_id(session, visitor_id)
    visitor.name = who.name.strip() or visitor.name
    visitor.email = who.email.strip() or visitor.email
    visitor.phone = who.phone.strip() or visitor.phone
    visitor.external_id = who.external_id.strip() or visitor.external_id
    return visitor


async def set_custom_data(session: AsyncSession, visitor_id: str, data: dict[str, str]) -> None:
    visitor = await visitor_by_id(session, visitor_id)
    visitor.custom_data = dict(data)


async def set_cart(session: AsyncSession, visitor_id: str, cart: Cart) -> Cart | None:
    """`setCart()`; a cart without items and total clears it. The stored cart, or None."""
    visitor = await visitor_by_id(session, visitor_id)
    kept = cart if cart.items or cart.total else None
    visitor.cart = kept.model_dump(mode="json") if kept else None
    return kept


def cart_value(cart: Cart | None) -> tuple[float, str]:
    """(value, currency): the site's total, else the sum of the items."""
    if cart is None:
        return 0.0, ""
    total = cart.total or sum(item.price * item.quantity for item in cart.items)
    return round(min(total, 1e12), 2), cart.currency


def stored_cart(visitor: Visitor) -> Cart | None:
    return Cart.model_validate(visitor.cart) if visitor.cart else None


async def update_visitor(session: AsyncSession, visitor_id: str, change: VisitorUpdate) -> Visitor:
    """An agent corrects name, e-mail, phone or tags; omitted fields stay."""
    visitor = await visitor_by_id(session, visitor_id)
    if change.name is not None:
        visitor.name = change.name.strip()
    if change.email is not None:
        visitor.email = change.email.strip()
    if change.phone is not None:
        visitor.phone = change.phone.strip()
    if change.tags is not None:
        visitor.tags = list(dict.fromkeys(tag.strip() for tag in change.tags if tag.strip()))
    return visitor


async def mark_spam(session: AsyncSession, agent: AgentIdentity, visitor_id: str) -> Visitor:
    """Any agent marks a visitor as spam (audited); marking a marked visitor keeps the first mark."""
    visitor = await visitor_by_id(session, visitor_id)
    if visitor.spam_marked_at is None:
        visitor.spam_marked_at, visitor.spam_marked_by = utcnow(), agent.agent_id
        after = {"spam": True, "marked_by": agent.agent_id}
        await audit.record(session, agent, "visitor.spam_mark", visitor.id, {"spam": False}, after)
    return visitor


async def unmark_spam(session: AsyncSession, agent: AgentIdentity, actor: Actor, visitor_id: str) -> Visitor:
    """Take the mark back (audited): supervisors and admins, or the agent who set it (an undo)."""
    visitor = await visitor_by_id(session, visitor_id)
    if not actor.supervises and visitor.spam_marked_by != actor.agent_id:
        raise DomainError(
            ErrorCode.FORBIDDEN, "Only supervisors, admins and the agent who marked it may do this."
        )
    if visitor.spam_marked_at is not None:
        before = {"spam": True, "marked_by": visitor.spam_marked_by}
        visitor.spam_marked_at, visitor.spam_marked_by = None, None
        await audit.record(session, agent, "visitor.spam_unmark", visitor.id, before, {"spam": False})
    return visitor


async def spam_mark(session: AsyncSession, visitor: Visitor) -> SpamMark | None:
    if visitor.spam_marked_at is None:
        return None
    agent = await session.get(Agent, visitor.spam_marked_by) if visitor.spam_marked_by else None
    return SpamMark(
        marked_at=as_utc(visitor.spam_marked_at),
        agent_id=visitor.spam_marked_by,
        agent_name=agent.name if agent else "",
    )


async def profile(
    session: AsyncSession, actor: Actor, visitor_id: str, live: TrafficRow | None
) -> VisitorProfile:
    """Everything known about the visitor; of their chats, those whose transcript `actor` may read."""
    visitor = await visitor_by_id(session, visitor_id)
    visits = (
        await session.scalars(
            select(Visit)
            .where(Visit.visitor_id == visitor_id)
            .order_by(Visit.started_at.desc())
            .limit(HISTORY_VISITS)
        )
    ).all()
    history = []
    for visit in visits:
        pages = (
            await session.scalars(
                select(PageViewRow)
                .where(PageViewRow.visit_id == visit.id)
                .order_by(PageViewRow.id.desc())
                .limit(PAGES_PER_VISIT)
            )
        ).all()
        history.append(
            VisitRecord(
                visit_id=visit.id,
                started_at=as_utc(visit.started_at),
                last_seen_at=as_utc(visit.last_seen_at),
                landing_url=visit.landing_url,
                referrer=visit.referrer,
                source=visit.source,
                utm_medium=visit.utm_medium,
                utm_campaign=visit.utm_campaign,
                device_class=device_class_of(visit),
                os=visit.os,
                browser=visit.browser,
                pages=[
                    PageViewRecord(url=p.url, title=p.title, viewed_at=as_utc(p.viewed_at))
                    for p in reversed(pages)
                ],
            )
        )
    previous = (
        await session.scalars(
            select(Chat)
            .where(Chat.visitor_id == visitor_id)
            .order_by(Chat.created_at.desc())
            .limit(PREVIOUS_CHATS)
        )
    ).all()
    first = as_utc(visitor.first_visit_at or visitor.created_at)
    last = as_utc(visits[0].last_seen_at) if visits else as_utc(visitor.last_seen_at)
    location = approximate_location(visitor.time_zone)
    return VisitorProfile(
        visitor_id=visitor.id,
        site_id=visitor.site_id,
        number=visitor.number,
        name=visitor.name,
        email=visitor.email,
        phone=visitor.phone,
        external_id=visitor.external_id,
        tags=list(visitor.tags or []),
        language=visitor.language,
        time_zone=visitor.time_zone,
        location=location,
        location_approximate=True,
        first_visit_at=first,
        last_visit_at=max(first, last),
        visits=max(visitor.visit_count or 0, 1),
        custom_data=dict(visitor.custom_data or {}),
        cart=stored_cart(visitor),
        live=live,
        history=history,
        previous_chats=[
            await chats.summary(session, chat)
            for chat in previous
            if await chats.agent_may_read(session, actor, chat)
        ],
        spam=await spam_mark(session, visitor),
    )
