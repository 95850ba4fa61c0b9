"""Visitor tracking, the live traffic list, visitor profiles, invitations, greeting rules and page push.

Every string here can come from a visitor's browser: it is plain text, and free-text fields are cut to
their cap (never refused) so a hostile page cannot break a frame, a table row or a sidebar.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field

from chat_protocol.base import DEFERRED, ProtocolModel
from chat_protocol.bounds import SECONDS_WEEK, DbInt
from chat_protocol.enums import DeviceClass as DeviceClass
from chat_protocol.enums import TrafficState as TrafficState
from chat_protocol.hosts import ascii_host
from chat_protocol.models import ChatSummary

MAX_CUSTOM_FIELDS = 50
MAX_CART_ITEMS = 100


def _cut(limit: int) -> BeforeValidator:
    """Accept any scalar, keep it as text, cut to `limit` characters."""

    def cut(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, bool | int | float):
            value = str(value)
        if isinstance(value, str):
            return value[:limit]
        return value

    return BeforeValidator(cut)


Url = Annotated[str, _cut(2048)]
Title = Annotated[str, _cut(300)]
Short = Annotated[str, _cut(100)]
Label = Annotated[str, _cut(64)]
Value = Annotated[str, _cut(1000)]


def _custom(value: object) -> object:
    """`setCustomData({...})`: at most 50 fields; keys and values become text and are cut."""
    if not isinstance(value, dict):
        return value
    out: dict[str, str] = {}
    for key, item in list(value.items())[:MAX_CUSTOM_FIELDS]:
        text = item if isinstance(item, str) else str(item)
        out[str(key)[:64]] = text[:1000]
    return out


CustomData = Annotated[dict[str, str], BeforeValidator(_custom)]


# --- what the widget reports ----------------------------------------------------------------


class DeviceInfo(ProtocolModel):
    """Sent once per page load inside the visitor `login` (the widget derives it from the browser)."""

    device_class: DeviceClass = DeviceClass.UNKNOWN
    os: Label = ""
    browser: Label = ""
    language: Label = Field(default="", description="navigator.language, e.g. `ja-JP`.")
    time_zone: Label = Field(default="", description="IANA zone, e.g. `Asia/Tokyo`.")


class PageView(ProtocolModel):
    """A page the visitor opened: in `login` for a page load, as `page_view` for single-page-app moves."""

    url: Url
    title: Title = ""
    referrer: Url = ""


class IdentifyRequest(ProtocolModel):
    """`Chat.identify({name, email, phone, id})` on the site: who the visitor is, as the site knows it."""

    name: Short = ""
    email: Short = ""
    phone: Short = ""
    external_id: Short = Field(default="", description="The site's own customer id.")


class CustomDataRequest(ProtocolModel):
    """`Chat.setCustomData({...})`: replaces the visitor's custom data."""

    data: CustomData = Field(default_factory=dict)


class CartItem(ProtocolModel):
    name: Title
    price: float = Field(default=0, ge=0, le=1e9)
    quantity: int = Field(default=1, ge=0, le=1_000_000)


class Cart(ProtocolModel):
    """`Chat.setCart({items, total, currency})`; an empty cart clears it."""

    items: Annotated[
        list[CartItem], BeforeValidator(lambda v: v[:MAX_CART_ITEMS] if isinstance(v, list) else v)
    ]
    total: float = Field(default=0, ge=0, le=1e12)
    currency: Label = ""


# --- the live traffic list (agents) ---------------------------------------------------------


class TrafficRow(ProtocolModel):
    """One visitor on the site now, as the customers view shows it.

    `rev` grows with every change of any row on the serving node: a delta with a `rev` not above a
    snapshot's `rev` is already contained in it."""

    visitor_id: str
    number: int
    name: Short = ""
    email: Short = ""
    state: TrafficState = TrafficState.BROWSING
    active: bool = Field(default=True, description="The tab is visible and the visitor not idle.")
    page_url: Url = ""
    page_title: Title = ""
    visit_started_at: datetime
    page_started_at: datetime
    pages_viewed: int = Field(default=0, description="In this visit.")
    visits: int = Field(default=1, description="Visits so far, this one included.")
    returning: bool = False
    messages_sent: int = Field(default=0, description="By the visitor, in this visit.")
    cart_value: float = 0
    cart_currency: Label = ""
    language: Label = ""
    time_zone: Label = ""
    location: Short = Field(default="", description="Country (and city) where known.")
    location_approximate: bool = Field(default=True, description="Derived from the time zone, not measured.")
    device_class: DeviceClass = DeviceClass.UNKNOWN
    os: Label = ""
    browser: Label = ""
    source: Short = Field(
        default="", description="utm_source, else the referrer's host, else empty (direct)."
    )
    chat_id: str | None = None
    agent_id: str | None = Field(default=None, description="The agent chatting with or inviting them.")
    left_at: datetime | None = None
    rev: int = 0


class TrafficSnapshot(ProtocolModel):
    """`GET /api/v1/traffic`: every visitor on the site now (and those who left in the last minutes).

    Send `watch_traffic` on the socket first, then load this, then apply the `traffic` deltas whose
    `rev` is above `rev`."""

    rev: int
    rows: list[TrafficRow]
    generated_at: datetime


class WatchTrafficRequest(ProtocolModel):
    """Start (`true`) or stop the `traffic` delta stream on this socket."""

    watch: bool = True


class TrafficDelta(ProtocolModel):
    """Rows changed or added since the last delta, and visitors gone from the list (coalesced, ~4/s)."""

    rev: int
    upserts: list[TrafficRow] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


# --- the visitor profile (sidebar) ---------------------------------------------------------


class PageViewRecord(ProtocolModel):
    url: Url
    title: Title = ""
    viewed_at: datetime


class VisitRecord(ProtocolModel):
    visit_id: str
    started_at: datetime
    last_seen_at: datetime
    landing_url: Url = ""
    referrer: Url = ""
    source: Short = ""
    utm_medium: Short = ""
    utm_campaign: Short = ""
    device_class: DeviceClass = DeviceClass.UNKNOWN
    os: Label = ""
    browser: Label = ""
    pages: list[PageViewRecord] = Field(default_factory=list, description="Newest last; at most 200.")


class SpamMark(ProtocolModel):
    """An agent marked the visitor as spam: they can neither open a chat nor leave an offline message
    (both refused with `blocked`) until a supervisor, an admin or the agent who marked them takes it
    back. The mark belongs to the visitor, not to one chat."""

    marked_at: datetime
    agent_id: str | None = Field(default=None, description="Who set the mark.")
    agent_name: str = ""


class VisitorProfile(ProtocolModel):
    """`GET /api/v1/visitors/{visitor_id}`: everything known about one visitor."""

    visitor_id: str
    site_id: str
    number: int
    name: Short = ""
    email: Short = ""
    phone: Short = ""
    external_id: Short = ""
    tags: list[Label] = Field(default_factory=list)
    language: Label = ""
    time_zone: Label = ""
    location: Short = ""
    location_approximate: bool = True
    first_visit_at: datetime
    last_visit_at: datetime
    visits: int = 1
    custom_data: dict[str, str] = Field(default_factory=dict)
    cart: Cart | None = None
    live: TrafficRow | None = Field(default=None, description="The visitor's row if on the site now.")
    history: list[VisitRecord] = Field(default_factory=list, description="Newest first; at most 20 visits.")
    previous_chats: list[ChatSummary] = Field(
        default_factory=list,
        description="Newest first; only the chats whose transcript the caller may read (a colleague's "
        "live chat only in a supervisor's scope).",
    )
    spam: SpamMark | None = Field(default=None, description="The visitor's spam mark, if set.")


class VisitorUpdate(ProtocolModel):
    """`PATCH /api/v1/visitors/{visitor_id}`: what an agent may correct. Omitted fields stay."""

    name: Short | None = None
    email: Short | None = None
    phone: Short | None = None
    tags: list[Label] | None = Field(default=None, max_length=30)


# --- invitations ----------------------------------------------------------------------------


class InvitationState(StrEnum):
    SHOWN = "shown"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"
    EXPIRED = "expired"


class InviteRequest(ProtocolModel):
    """Invite a visitor on the site to chat (agent socket `invite_visitor`); at most one per visit
    unless the visitor replied to the previous one (`already_invited`)."""

    visitor_id: str
    client_id: str = Field(min_length=8, max_length=64)
    text: str = Field(min_length=1, max_length=2000)


class InviteResult(ProtocolModel):
    invitation_id: str


class InvitationPush(ProtocolModel):
    """Visitor push `invitation` (also in the login result while unanswered): a greeting to show.

    `agent_name` is empty for an automatic greeting sent on behalf of the team."""

    invitation_id: str
    text: str
    agent_name: str = ""
    agent_initials: str = ""


class InvitationAnswerRequest(ProtocolModel):
    """Visitor socket `dismiss_invitation`; a reply is a `send_message` with `invitation_id`."""

    invitation_id: str


class GreetingConditions(ProtocolModel):
    """All set conditions must hold; an unset one is ignored."""

    min_time_on_site: int | None = Field(default=None, ge=0, le=SECONDS_WEEK, description="Seconds.")
    min_time_on_page: int | None = Field(default=None, ge=0, le=SECONDS_WEEK, description="Seconds.")
    url_pattern: str | None = Field(
        default=None, max_length=500, description="Shell-style pattern on the page URL, e.g. `*/cart*`."
    )
    min_pages_viewed: int | None = Field(default=None, ge=0, le=100_000)
    referrer_contains: str | None = Field(default=None, max_length=200)
    device_class: DeviceClass | None = None
    returning: bool | None = None
    min_cart_value: float | None = Field(default=None, ge=0, le=1e12)
    business_hours_only: bool = False


class GreetingRuleInput(ProtocolModel):
    """`POST /api/v1/greeting-rules`, `PUT /api/v1/greeting-rules/{id}` (admins)."""

    name: str = Field(min_length=1, max_length=100)
    site_id: str | None = Field(default=None, description="None: every site.")
    enabled: bool = True
    text: str = Field(min_length=1, max_length=2000)
    sender_name: str = Field(default="", max_length=100, description="Shown as the greeting's author.")
    conditions: GreetingConditions = Field(default_factory=GreetingConditions)


class GreetingRule(GreetingRuleInput):
    model_config = DEFERRED

    rule_id: str
    shown: int = 0
    accepted: int = 0

    @property
    def acceptance_rate(self) -> float:
        return self.accepted / self.shown if self.shown else 0.0


class BusinessHours(ProtocolModel):
    """`GET`/`PUT /api/v1/settings/business-hours`: weekly opening hours in the team's time zone.

    `days` maps `mon`..`sun` to `["09:00", "18:00"]`; a missing day is closed. `time_zone` is the team's
    (`/api/v1/settings/team`), always filled in by `GET`; a `PUT` naming another zone changes the
    team's zone (for reports too), one leaving it out (null) keeps it."""

    time_zone: str | None = Field(default=None, max_length=64)
    days: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], tuple[str, str]] = Field(
        default_factory=lambda: {d: ("09:00", "18:00") for d in ("mon", "tue", "wed", "thu", "fri")}
    )


class TrafficSettings(ProtocolModel):
    """`GET`/`PUT /api/v1/settings/traffic` (admins): how long page-view history is kept."""

    page_view_retention_days: int = Field(default=90, ge=1, le=3650)


# --- page push ------------------------------------------------------------------------------


class PushPageRequest(ProtocolModel):
    """Agent socket `push_page`: offer the visitor of a chat I hold a page of the site's own origins."""

    chat_id: str
    client_id: str = Field(min_length=8, max_length=64)
    url: str = Field(min_length=1, max_length=2048)


class PagePushAnswerRequest(ProtocolModel):
    """Visitor socket `answer_page_push`: `seq` of the `page_push` offer event, and the answer."""

    client_id: str = Field(min_length=8, max_length=64)
    seq: Annotated[DbInt, Field(ge=1)]
    accept: bool


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an absolute http(s) URL without credentials, else None.

    Refuses what browsers would resolve elsewhere than it looks: `//host`, `javascript:`, userinfo
    (`https://shop@evil`), backslashes and control characters."""
    if not url or any(ch in url for ch in "\\\t\r\n\x00") or url != url.strip():
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    else:
        try:
            host = ascii_host(host)  # as the browser's URL.origin: `faß.example` is `xn--fa-hia.example`
        except ValueError:
            return None
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def normalise_origin(origin: str) -> str | None:
    """An allow-list entry in the form `origin_of` compares with."""
    return origin_of(origin.rstrip("/") + "/")


def page_allowed(url: str, allowed_origins: list[str]) -> bool:
    """True when `url` is an http(s) page on exactly one of `allowed_origins`."""
    origin = origin_of(url)
    return origin is not None and origin in {normalise_origin(o) for o in allowed_origins}


# --- priority -------------------------------------------------------------------------------


def priority(row: TrafficRow, now: datetime) -> float:
    """How much a visitor deserves attention now, as operators weigh it (higher first).

    A request to chat (queued) outranks everything; then being active now, the cart, time on site,
    messages sent and pages viewed. Time and pages saturate so one long idle tab does not dominate."""
    if row.state == TrafficState.LEFT:
        return 0.0
    score = 0.0
    if row.state == TrafficState.QUEUED:
        score += 1000
    elif row.state == TrafficState.CHATTING:
        score += 100
    if row.active:
        score += 60
    minutes = max(0.0, (now - row.visit_started_at).total_seconds() / 60)
    score += min(minutes, 30) * 2  # up to 60
    score += min(row.messages_sent, 10) * 8  # up to 80
    score += min(row.pages_viewed, 15) * 3  # up to 45
    if row.cart_value > 0:
        score += 40 + min(row.cart_value, 100_000) ** 0.5 / 5  # 40 .. ~103
    if row.returning:
        score += 10
    return round(score, 1)
