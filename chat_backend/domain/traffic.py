"""Visits, page views and traffic settings (page-view retention): what the live traffic list is built
from, and how a visitor's open chat shows in it.

Plain async functions over a session. Every text field arrives already cut by the `chat_protocol.traffic`
models; columns are sized to those caps. The visitor's identity and profile are in `domain.visitors`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import ColumnElement, Table, bindparam, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import (
    Chat,
    EventRow,
    InvitationRow,
    PageViewRow,
    Site,
    Visit,
    Visitor,
)
from chat_backend.domain import chats, invitations, server_settings
from chat_backend.domain.auth import as_utc
from chat_backend.domain.errors import DomainError
from chat_protocol import ChatState, ErrorCode
from chat_protocol.traffic import (
    DeviceClass,
    DeviceInfo,
    PageView,
    TrafficSettings,
    TrafficState,
    origin_of,
)

_SETTINGS_KEY = "traffic"
# The class of PostgreSQL's two-key advisory locks taken (per site) while new visitors are numbered.
_VISITOR_NUMBER_LOCK = 7302


@dataclass(frozen=True)
class ChatLink:
    """How a visitor's open chat shows in the traffic list."""

    state: TrafficState  # QUEUED or CHATTING
    chat_id: str
    agent_id: str | None


@dataclass
class Arrival:
    """What a visitor login recorded: the visit (new or continued) and the page, for the live row."""

    visit: Visit
    new_visit: bool
    page: PageView | None
    at: datetime
    messages_sent: int
    last_message_event: int


@dataclass(frozen=True)
class VisitFacts:
    """What a login reads of the visitor's current visit when it already has them at hand (a
    returning visitor's one query, `login_reads`): the visit (None without one), `messages_in_visit`
    and the page last viewed."""

    visit: Visit | None
    messages_sent: int
    last_message_event: int
    last_url: str | None


def source_of(landing_url: str, referrer: str, site_origins: Collection[str]) -> tuple[str, str, str]:
    """(source, utm_medium, utm_campaign): utm_source of the landing page, else the referrer's host
    when it is not one of the site's own origins, else "" (direct)."""
    try:
        query = parse_qs(urlsplit(landing_url).query)
    except ValueError:
        query = {}

    def utm(name: str) -> str:
        return (query.get(name) or [""])[0].strip()[:100]

    source = utm("utm_source")
    if not source and referrer:
        origin = origin_of(referrer)
        if origin is not None and origin not in site_origins:
            source = (urlsplit(referrer).hostname or "")[:100]
    return source, utm("utm_medium"), utm("utm_campaign")


def sent_since(author_key: Any, since: Any) -> tuple[ColumnElement[bool], ...]:
    """The messages of the visitor whose author key is `author_key` sent since `since` (values, or
    columns of an enclosing statement: `login_reads`)."""
    return (EventRow.author_key == author_key, EventRow.kind == "message", EventRow.created_at >= since)


async def messages_in_visit(session: AsyncSession, visitor_id: str, since: datetime) -> tuple[int, int]:
    """(messages the visitor sent since `since`, the newest such event id)."""
    query = select(func.count(), func.max(EventRow.id)).where(*sent_since(f"visitor:{visitor_id}", since))
    count, newest = (await session.execute(query)).one()
    return int(count or 0), int(newest or 0)


@dataclass
class LoginWrites:
    """What one visitor login changes, planned from reads (`plan_visit`) and written later by
    `write_logins`, many logins in one transaction. `visitor` and `visit` are detached objects that
    already show the planned values (for the live traffic row); nothing here is written by the ORM's
    change tracking."""

    visitor: Visitor
    new_visitor: bool  # insert `visitor` (its `number` is drawn when written)
    at: datetime
    visitor_values: dict[str, Any] = field(default_factory=dict)  # columns of an existing visitor
    count_visit: bool = False  # visit_count + 1
    new_visit: Visit | None = None
    visit_id: str | None = None  # the continued visit, seen at `at`
    page_view: PageViewRow | None = None
    expire_invitations: str | None = None  # the current visit: other visits' invitations expire

    @property
    def urgent(self) -> bool:
        """Something a later request or an agent may read at once: committed before the login is
        answered. Otherwise only "last seen" times change, written with a later batch."""
        return bool(
            self.new_visitor
            or self.visitor_values
            or self.count_visit
            or self.new_visit is not None
            or self.page_view is not None
            or self.expire_invitations is not None
        )


@dataclass(frozen=True)
class LoginRead:
    """What a visitor login read (besides its answer) and plans to write."""

    visitor: Visitor
    arrival: Arrival
    link: ChatLink | None
    invitation: InvitationRow | None
    writes: LoginWrites


def unsaved_visitor(site: Site, token_hash: str, now: datetime) -> Visitor:
    """A visitor not yet written (`write_logins` inserts it and draws its number)."""
    return Visitor(
        id=str(uuid.uuid4()),
        site_id=site.id,
        number=0,
        token_hash=token_hash,
        name="",
        created_at=now,
        last_seen_at=now,
        email="",
        phone="",
        external_id="",
        tags=[],
        custom_data={},
        cart=None,
        language="",
        time_zone="",
        visit_count=0,
        first_visit_at=None,
        current_visit_id=None,
    )


def plan_visit(
    visitor: Visitor,
    site: Site,
    page: PageView | None,
    device: DeviceInfo | None,
    *,
    now: datetime,
    gap: float,
    live: bool,
    facts: VisitFacts | None,
) -> tuple[Arrival, LoginWrites]:
    """A page load: continue the current visit if the visitor is on the site (`live`) or was seen
    within `gap` seconds, else start a new one; a page view unless the socket reopened on the page
    last viewed. `visitor` must be detached (it is changed in memory); `facts` are what the login read
    of a returning visitor's current visit (`login_reads`), None for a new visitor."""
    writes = LoginWrites(visitor, facts is None, now)
    visit = facts.visit if facts is not None else None
    continued = visit is not None and (live or (now - as_utc(visit.last_seen_at)).total_seconds() <= gap)
    if device is not None:
        for column in ("language", "time_zone"):
            value = getattr(device, column) or getattr(visitor, column)
            if value != getattr(visitor, column):
                setattr(visitor, column, value)
                writes.visitor_values[column] = value
    if visit is None or not continued:
        landing, referrer = (page.url, page.referrer) if page else ("", "")
        source, medium, campaign = source_of(landing, referrer, site.origins or [])
        device = device or DeviceInfo()
        visit = Visit(
            id=str(uuid.uuid4()),
            visitor_id=visitor.id,
            site_id=site.id,
            started_at=now,
            last_seen_at=now,
            landing_url=landing,
            referrer=referrer,
            source=source,
            utm_medium=medium,
            utm_campaign=campaign,
            device_class=device.device_class.value,
            os=device.os,
            browser=device.browser,
            pages_viewed=0,
        )
        writes.new_visit = visit
        writes.count_visit = True
        visitor.visit_count = (visitor.visit_count or 0) + 1
        if visitor.first_visit_at is None:
            visitor.first_visit_at = writes.visitor_values["first_visit_at"] = now
        visitor.current_visit_id = writes.visitor_values["current_visit_id"] = visit.id
        messages, newest = 0, 0
    else:
        visit.last_seen_at = now
        writes.visit_id = visit.id
        assert facts is not None  # a visit to continue comes with its facts
        messages, newest = facts.messages_sent, facts.last_message_event
    if page is not None and not (continued and facts is not None and facts.last_url == page.url):
        # A socket reopened on the page last viewed (a network blip, a reload) is not a new view.
        writes.page_view = PageViewRow(
            visit_id=visit.id, visitor_id=visitor.id, url=page.url, title=page.title, viewed_at=now
        )
        visit.pages_viewed = (visit.pages_viewed or 0) + 1
    visitor.last_seen_at = now
    return Arrival(visit, not continued, page, now, messages, newest), writes


async def write_logins(session: AsyncSession, logins: Sequence[LoginWrites], *, postgres: bool) -> None:
    """Write what many logins planned, in one transaction of the quiet path (no events): new
    visitors (numbered per site under a per-site lock), new visits, page views, then the changes of
    existing rows, each table in id order so that two such transactions never wait on each other in
    a cycle."""
    fresh = [item for item in logins if item.new_visitor]
    for site_id in sorted({item.visitor.site_id for item in fresh}):
        if postgres:  # numbers are max + 1: one writer per site at a time, on every node
            await session.execute(
                text("SELECT pg_advisory_xact_lock(:space, hashtext(:site))"),
                {"space": _VISITOR_NUMBER_LOCK, "site": site_id},
            )
        top = int(
            await session.scalar(
                select(func.coalesce(func.max(Visitor.number), 0)).where(Visitor.site_id == site_id)
            )
            or 0
        )
        for item in fresh:
            if item.visitor.site_id == site_id:
                top += 1
                item.visitor.number = top
    for rows in (
        [item.visitor for item in fresh],
        [item.new_visit for item in logins if item.new_visit is not None],
        [item.page_view for item in logins if item.page_view is not None],
    ):
        if rows:  # flushed table by table: no ORM relationship orders the inserts
            session.add_all(rows)
            await session.flush()
    visitors_table = cast(Table, Visitor.__table__)
    visits_table = cast(Table, Visit.__table__)
    touched: list[dict[str, Any]] = []
    for item in sorted(logins, key=lambda item: item.visitor.id):
        if item.new_visitor:
            continue
        values: dict[str, Any] = dict(item.visitor_values)
        if item.count_visit:
            values["visit_count"] = Visitor.visit_count + 1
        if values:
            values["last_seen_at"] = item.at
            await session.execute(update(Visitor).where(Visitor.id == item.visitor.id).values(**values))
        else:
            touched.append({"row": item.visitor.id, "at": item.at})
    if touched:  # one statement for many rows; a later "last seen" is never put back
        await session.execute(
            update(visitors_table)
            .where(visitors_table.c.id == bindparam("row"), visitors_table.c.last_seen_at < bindparam("at"))
            .values(last_seen_at=bindparam("at")),
            touched,
        )
    viewed: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []
    for item in sorted(logins, key=lambda item: item.visit_id or ""):
        if item.visit_id is not None:
            (viewed if item.page_view is not None else seen).append({"row": item.visit_id, "at": item.at})
    if viewed:
        await session.execute(
            update(visits_table)
            .where(visits_table.c.id == bindparam("row"))
            .values(pages_viewed=visits_table.c.pages_viewed + 1, last_seen_at=bindparam("at")),
            viewed,
        )
    if seen:
        await session.execute(
            update(visits_table)
            .where(visits_table.c.id == bindparam("row"), visits_table.c.last_seen_at < bindparam("at"))
            .values(last_seen_at=bindparam("at")),
            seen,
        )
    for item in sorted(logins, key=lambda item: item.visitor.id):
        if item.expire_invitations is not None:
            await invitations.expire_other_visits(session, item.visitor.id, item.expire_invitations)


async def _add_page_view(session: AsyncSession, visit: Visit, page: PageView, now: datetime) -> None:
    session.add(
        PageViewRow(
            visit_id=visit.id, visitor_id=visit.visitor_id, url=page.url, title=page.title, viewed_at=now
        )
    )
    visit.pages_viewed = (visit.pages_viewed or 0) + 1
    visit.last_seen_at = now


async def record_page_view(session: AsyncSession, visit_id: str, page: PageView, now: datetime) -> int:
    """A single-page-app move inside the visit; the visit's page count after it."""
    visit = await session.get(Visit, visit_id)
    if visit is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No current visit.")
    await _add_page_view(session, visit, page, now)
    return visit.pages_viewed


async def touch_visits(session: AsyncSession, seen: dict[str, datetime]) -> None:
    """Remember when visitors were last on the site (batched: they leave in waves). In id order, as
    `write_logins` does: two such transactions never wait on each other in a cycle."""
    for visit_id, when in sorted(seen.items()):
        await session.execute(update(Visit).where(Visit.id == visit_id).values(last_seen_at=when))


async def chat_links(
    session: AsyncSession, visitor_ids: Collection[str] | None = None
) -> dict[str, ChatLink]:
    """The open chat of each visitor (all with one, or those named): taken -> chatting; queued, or
    incoming with a message -> queued."""
    query = select(Chat.id, Chat.visitor_id, Chat.state, Chat.agent_id).where(
        Chat.state.in_(chats.OPEN_STATES)
    )
    if visitor_ids is not None:
        query = query.where(Chat.visitor_id.in_(list(visitor_ids)))
    found = (await session.execute(query)).all()
    incoming = [chat_id for chat_id, _v, state, _a in found if state == ChatState.INCOMING.value]
    spoken: set[str] = set()
    if incoming:
        spoken = set(
            (
                await session.scalars(
                    select(EventRow.chat_id).where(EventRow.chat_id.in_(incoming), EventRow.kind == "message")
                )
            ).all()
        )
    links: dict[str, ChatLink] = {}
    for chat_id, visitor_id, state, agent_id in found:
        if state == ChatState.TAKEN.value:
            links[visitor_id] = ChatLink(TrafficState.CHATTING, chat_id, agent_id)
        elif (state == ChatState.QUEUED.value or chat_id in spoken) and visitor_id not in links:
            links[visitor_id] = ChatLink(TrafficState.QUEUED, chat_id, None)
    return links


async def chat_link(session: AsyncSession, chat: Chat | None) -> ChatLink | None:
    """`chat_links` for one open chat already at hand."""
    if chat is None or chat.state not in chats.OPEN_STATES:
        return None
    if chat.state == ChatState.TAKEN.value:
        return ChatLink(TrafficState.CHATTING, chat.id, chat.agent_id)
    if chat.state == ChatState.INCOMING.value:
        spoken = await session.scalar(
            select(EventRow.id).where(EventRow.chat_id == chat.id, EventRow.kind == "message").limit(1)
        )
        if spoken is None:
            return None
    return ChatLink(TrafficState.QUEUED, chat.id, None)


def device_class_of(visit: Visit) -> DeviceClass:
    try:
        return DeviceClass(visit.device_class)
    except ValueError:
        return DeviceClass.UNKNOWN


# --- retention ------------------------------------------------------------------------------


async def traffic_settings(session: AsyncSession) -> TrafficSettings:
    return await server_settings.load(session, _SETTINGS_KEY, TrafficSettings)


async def save_traffic_settings(session: AsyncSession, value: TrafficSettings) -> None:
    await server_settings.save(session, _SETTINGS_KEY, value)


async def purge_page_views(session: AsyncSession, now: datetime) -> int:
    """Delete page views older than the retention; how many went."""
    days = (await traffic_settings(session)).page_view_retention_days
    done = await session.execute(
        delete(PageViewRow).where(PageViewRow.viewed_at < now - timedelta(days=days))
    )
    return int(getattr(done, "rowcount", 0) or 0)
