"""Bodies of the REST API under `/api/v1` (the OpenAPI document is generated from them)."""

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, model_validator

from chat_protocol.base import ProtocolModel
from chat_protocol.bounds import SECONDS_DAY, SECONDS_WEEK
from chat_protocol.models import ChatSummary, Event, RoutingStatus
from chat_protocol.training import TrainingLanguage
from chat_protocol.versions import APP_VERSION_PATTERN as APP_VERSION_PATTERN

MAX_DOWNLOAD_URL = 2048


def _download_url(value: str) -> str:
    """ "" or an absolute http(s) URL without spaces: the app shows it as a link."""
    value = value.strip()
    if value:
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or not value.isprintable()
            or " " in value
        ):
            raise ValueError("the download link must be an http:// or https:// address")
    return value


AppVersion = Annotated[str, Field(default="", pattern=APP_VERSION_PATTERN + "|^$", max_length=27)]
DownloadUrl = Annotated[str, Field(default="", max_length=MAX_DOWNLOAD_URL), AfterValidator(_download_url)]


class TeamSettings(ProtocolModel):
    """`GET`/`PUT /api/v1/settings/team` (admins write): the team's time zone, an IANA name such as
    `Asia/Tokyo`. Business hours are in it, and reports count days, hours and weekdays in it."""

    time_zone: str = Field(
        default="Asia/Tokyo",
        min_length=1,
        max_length=64,
        description="An IANA time zone name; Asia/Tokyo until an admin sets it (the default business hours had).",
    )


class AppUpdateSettings(ProtocolModel):
    """`GET`/`PUT /api/v1/settings/app-updates` (admins write): the operator app's versions, shown by
    every app in `GET /info` before sign-in. Empty strings: not set."""

    app_min_version: AppVersion = Field(
        default="", description="Apps below this version refuse to sign in and show the download link."
    )
    app_latest_version: AppVersion = Field(
        default="", description="Apps below this version show that an update is available."
    )
    app_download_url: DownloadUrl = Field(default="", description="Where the installers are published.")

    @model_validator(mode="after")
    def _minimum_not_above_latest(self) -> "AppUpdateSettings":
        low, high = self.app_min_version, self.app_latest_version
        if low and high and _numbers(low) > _numbers(high):
            raise ValueError("the minimum version must not be above the latest version")
        return self


def _numbers(version: str) -> tuple[int, ...]:
    numbers = [int(part) for part in version.split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


class ServerInfo(ProtocolModel):
    """`GET /api/v1/info`: lets a client refuse a server of another protocol version, and tells the
    operator app the minimum and latest app versions and where to download them (empty: not set)."""

    product: str = "chat-backend"
    version: str
    protocol: int
    # Read leniently (bounded): an app that cannot parse a version ignores it rather than the server.
    app_min_version: str = Field(default="", max_length=64)
    app_latest_version: str = Field(default="", max_length=64)
    app_download_url: str = Field(default="", max_length=MAX_DOWNLOAD_URL)


class LoginRequest(ProtocolModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(ProtocolModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class TokenPair(ProtocolModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")


class Me(ProtocolModel):
    agent_id: str
    email: str
    name: str
    role: str
    status: RoutingStatus
    max_chats: int = 6
    must_change_password: bool = Field(
        default=False, description="Signed in with a temporary password: choose a new one first."
    )
    group_ids: list[str] = Field(
        default_factory=list,
        description="My groups: a chat queued for another group is not mine to take, nor in my queue.",
    )
    training: bool = Field(
        default=False, description="In training mode: scripted training chats only (`PUT /api/v1/training`)."
    )
    training_language: TrainingLanguage | None = Field(
        default=None, description="In training: the language of my scripted visitors (none: every language)."
    )


class Snapshot(ProtocolModel):
    """My chats and the queue, with the cursor to resume the socket from."""

    cursor: int
    me: Me
    my_chats: list[ChatSummary]
    queue: list[ChatSummary]
    routing: "RoutingSettings | None" = None


class TranscriptPage(ProtocolModel):
    """Events of one chat in `seq` order; ask again with `after_seq=next_after_seq` while `has_more`."""

    chat: ChatSummary
    events: list[Event]
    has_more: bool
    next_after_seq: int


class AgentSummary(ProtocolModel):
    """A colleague as listed for transfers: who is online and how loaded."""

    agent_id: str
    name: str
    status: RoutingStatus
    online: bool
    load: int
    max_chats: int
    group_ids: list[str] = Field(default_factory=list)


class GroupInfo(ProtocolModel):
    group_id: str
    name: str
    agent_ids: list[str] = Field(default_factory=list, description="The group's members.")


class GroupInput(ProtocolModel):
    """`POST /api/v1/groups`, `PUT /api/v1/groups/{group_id}` (admins): the name and all members."""

    name: str = Field(min_length=1, max_length=100)
    agent_ids: list[str] = Field(default_factory=list, max_length=1000)


class OfflineMessage(ProtocolModel):
    """Left by a visitor when nobody accepted chats; kept until answered by e-mail (tickets)."""

    message_id: str
    site_id: str
    visitor_id: str
    name: str
    email: str
    text: str
    created_at: datetime
    page_url: str = ""


class RoutingSettings(ProtocolModel):
    """Admin-set routing and timing (`GET`/`PUT /api/v1/settings/routing`)."""

    auto_assign: bool = Field(default=True, description="Route queued chats to agents automatically.")
    default_max_chats: int = Field(default=6, ge=1, le=50)
    reassign_after: int | None = Field(
        default=None, ge=10, le=SECONDS_DAY, description="Seconds; None = off."
    )
    inactivity_close_after: int | None = Field(
        default=1800, ge=60, le=SECONDS_WEEK, description="Seconds; None = off."
    )
    wait_warning: int = Field(
        default=60, ge=5, le=SECONDS_DAY, description="Seconds until the status circle turns orange."
    )
    wait_alarm: int = Field(default=120, ge=5, le=SECONDS_DAY, description="Seconds until it turns red.")
    idle_away_after: int | None = Field(
        default=600, ge=30, le=SECONDS_DAY, description="App goes away after idle seconds."
    )
    queue_reminder_every: int = Field(
        default=30, ge=5, le=SECONDS_DAY, description="Seconds between queue reminders."
    )


class AgentLimitInput(ProtocolModel):
    max_chats: int = Field(ge=1, le=50)
