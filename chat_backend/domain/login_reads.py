"""A returning visitor's login reads, in one query.

A reconnect storm (a node restarted, a deploy) is made of returning visitors: each login needs the
site, the visitor, their current visit, whether they have a live call or an open chat, what they sent
during the visit, the page they last viewed and whether an invitation is showing. Asked one by one
that is six statements per login, and on a busy node the statements' own cost (building, caching,
loading rows) is most of a login's CPU time. Here they are one statement with correlated subqueries;
the rare follow-ups (an open chat, a showing invitation, a call to end) are read by the caller only
when the answer says they exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, String, bindparam, exists, func, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import CallRow, Chat, EventRow, InvitationRow, PageViewRow, Site, Visit, Visitor
from chat_backend.domain.auth import token_hash
from chat_backend.domain.calls import ACTIVE_STATES
from chat_backend.domain.chats import OPEN_STATES
from chat_backend.domain.errors import DomainError
from chat_backend.domain.invitations import SHOWN
from chat_backend.domain.sites import origin_allowed
from chat_backend.domain.traffic import VisitFacts, sent_since
from chat_backend.domain.visitors import site_for_origin
from chat_protocol import ErrorCode


@dataclass(frozen=True)
class ReturningLogin:
    """What a returning visitor's login reads first, for `traffic.plan_visit`. `visitor` is detached
    (a login changes it in memory), and so is their current visit, in `facts`."""

    site: Site
    visitor: Visitor
    live_call: bool
    open_chat: bool  # read it with `chats.open_chat_of` when set
    shown_invitation: bool  # read it with `invitations.shown_at_login` when set
    facts: VisitFacts  # of the current visit


def _inline(states: tuple[str, ...]) -> list[ColumnElement[str]]:
    """Our own state names written into the statement: an `IN` of bound values is expanded again at
    every run."""
    assert all(state.isidentifier() for state in states)
    return [literal_column(f"'{state}'", String) for state in states]


@cache
def _statement() -> Select[Any]:
    """Built once: building a statement of this size costs more than running it (and a statement
    built anew must also have its cache key computed again on every run)."""
    live_call = exists().where(CallRow.visitor_id == Visitor.id, CallRow.state.in_(_inline(ACTIVE_STATES)))
    open_chat = exists().where(Chat.visitor_id == Visitor.id, Chat.state.in_(_inline(OPEN_STATES)))
    shown = exists().where(InvitationRow.visitor_id == Visitor.id, InvitationRow.state == SHOWN)
    sent = sent_since(literal("visitor:") + Visitor.id, Visit.started_at)  # `traffic.messages_in_visit`
    messages = select(func.count()).where(*sent).scalar_subquery()
    newest = select(func.max(EventRow.id)).where(*sent).scalar_subquery()
    last_url = (
        select(PageViewRow.url)
        .where(PageViewRow.visit_id == Visit.id)
        .order_by(PageViewRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(Visitor, Visit, Site, live_call, open_chat, shown, messages, newest, last_url)
        .join(Site, Site.id == Visitor.site_id)
        .outerjoin(Visit, Visit.id == Visitor.current_visit_id)
        .where(Visitor.token_hash == bindparam("hashed"))
    )


async def returning_login(
    session: AsyncSession, site_id: str, origin: str | None, token: str
) -> ReturningLogin:
    """The reads of a login with a visitor token, refused as `visitors.site_for_origin` and
    `visitors.visitor_by_token` refuse (unknown site, origin not allowed, then unknown token)."""
    row = (await session.execute(_statement(), {"hashed": token_hash(token)})).first()
    if row is None or row[2].id != site_id:
        await site_for_origin(session, site_id, origin)  # its refusal first, as a plain login's
        raise DomainError(ErrorCode.INVALID_TOKEN, "Unknown visitor token.")
    visitor, visit, site, live_call, open_chat, shown, messages, newest, last_url = row
    if not origin_allowed(site, origin):
        raise DomainError(ErrorCode.ORIGIN_NOT_ALLOWED, "This page's origin is not allowed for the site.")
    session.expunge(visitor)
    if visit is not None:
        session.expunge(visit)
    facts = VisitFacts(visit, int(messages or 0), int(newest or 0), last_url)
    return ReturningLogin(
        site=site,
        visitor=visitor,
        live_call=bool(live_call),
        open_chat=bool(open_chat),
        shown_invitation=bool(shown),
        facts=facts,
    )
