"""Visitors: anonymous identities bound to one site by an opaque token the widget keeps."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Site, Visitor, utcnow
from chat_backend.domain.auth import token_hash
from chat_backend.domain.errors import DomainError
from chat_backend.domain.sites import origin_allowed
from chat_protocol import ErrorCode


async def site_for_origin(session: AsyncSession, site_id: str, origin: str | None) -> Site:
    site = await session.get(Site, site_id)
    if site is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Unknown site.")
    if not origin_allowed(site, origin):
        raise DomainError(ErrorCode.ORIGIN_NOT_ALLOWED, "This page's origin is not allowed for the site.")
    return site


async def visitor_login(session: AsyncSession, site: Site, token: str | None) -> tuple[Visitor, str]:
    """The visitor behind `token` on this site, or a new one (with a new token) when `token` is None."""
    if token:
        found = await session.scalars(select(Visitor).where(Visitor.token_hash == token_hash(token)))
        visitor = found.first()
        if visitor is None or visitor.site_id != site.id:
            raise DomainError(ErrorCode.INVALID_TOKEN, "Unknown visitor token.")
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
