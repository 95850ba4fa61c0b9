"""The archives: closed chats, found again by filters and full-text search
(`POST /api/v1/archives/search`: a body, not a query string, so that a long search text fits).

Who sees which chat is the rule of `docs/roles.md` ("Archives"). The search text is matched as a
substring of each message, file name (a file sent in the chat), note and the visitor's name, e-mail
and phone, after Unicode NFKC
normalisation and case folding (so `ＡＢＣ１２３` finds `abc123`, and a two-character Japanese word such
as 抹茶 finds its chats); it is never parsed as a query language.
"""

from datetime import datetime
from typing import Literal, get_args

from pydantic import Field, field_validator

from chat_protocol.base import ProtocolModel
from chat_protocol.models import Author, VisitorInfo

MAX_SEARCH_CHARS = 10_000  # longer search text is refused (422); anything shorter gets results or none
MAX_SNIPPET_CHARS = 160
ARCHIVE_PAGE_MAX = 100

RatingFilter = Literal["good", "bad", "none"]
MatchKind = Literal["message", "file", "note", "visitor"]


class ArchiveQuery(ProtocolModel):
    """What to find: every field is optional and they all apply together."""

    q: str = Field(default="", max_length=MAX_SEARCH_CHARS, description="Plain text, found as a substring.")
    since: datetime | None = Field(default=None, description="Closed at or after this instant.")
    until: datetime | None = Field(default=None, description="Closed before this instant.")
    agent_id: str | None = Field(default=None, max_length=36, description="An agent who took part.")
    group_id: str | None = Field(default=None, max_length=36)
    site_id: str | None = Field(default=None, max_length=64)
    rating: RatingFilter | None = None
    had_call: bool | None = None
    transferred: bool | None = None
    visitor: str = Field(default="", max_length=254, description="Part of the visitor's name or e-mail.")
    tag_ids: list[str] = Field(
        default_factory=list, max_length=20, description="Chats with any of these tags."
    )
    cursor: str | None = Field(default=None, max_length=100, description="The previous page's `next_cursor`.")
    limit: int = Field(default=50, ge=1, le=ARCHIVE_PAGE_MAX)


class ArchiveHit(ProtocolModel):
    """One closed chat of the archive, newest first. `snippet` is plain text around the first match of
    the search text (empty without one); `highlights` are its matching spans as half-open character
    offsets into `snippet`. `match` says where the match was (`file`: the name of a file sent in the
    chat; chats archived before file names were indexed are not found by them)."""

    chat_id: str
    site_id: str
    group_id: str | None = None
    visitor: VisitorInfo
    visitor_email: str = ""
    agent: Author | None = Field(default=None, description="The last agent who held the chat.")
    created_at: datetime
    closed_at: datetime
    messages: int = Field(default=0, description="Messages of the visitor and the agents.")
    rating: Literal["good", "bad"] | None = None
    had_call: bool = False
    transferred: bool = False
    tag_ids: list[str] = Field(default_factory=list)
    snippet: str = ""
    highlights: list[tuple[int, int]] = Field(default_factory=list)
    match: MatchKind | None = None

    @field_validator("match", mode="before")
    @classmethod
    def _newer_kind_is_a_message(cls, value: object) -> object:
        """A kind of match a newer server adds reads as `message` here: an app never fails to show a
        search result because the server learned to search somewhere new."""
        if isinstance(value, str) and value not in get_args(MatchKind):
            return "message"
        return value


class ArchivePage(ProtocolModel):
    """A page of hits; `next_cursor`, when set, asks for the next (older) page."""

    hits: list[ArchiveHit]
    next_cursor: str | None = None


class RetentionSettings(ProtocolModel):
    """`/api/v1/settings/retention` (admins write): how long closed chats are kept. `None` keeps them;
    otherwise the retention job deletes chats closed more than this many days ago (with their events,
    notes, calls, tags and archive entries) once an hour."""

    closed_chat_days: int | None = Field(default=None, ge=1, le=3650)


class VisitorDeleted(ProtocolModel):
    """`DELETE /api/v1/visitors/{visitor_id}` (admins): what went with the visitor."""

    visitor_id: str
    chats: int
    page_views: int
    offline_messages: int
