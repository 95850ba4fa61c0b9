"""Reports: figures over the closed chats of a range of days (`GET /api/v1/reports`).

Days are calendar days in the team's time zone (`GET /api/v1/settings/team`); `until` is included. A
chat belongs to the day, hour and weekday in which it was **created** (the visitor asked), in that
zone. Who sees which chats is the reports rule of `docs/roles.md` ("Reports"): admins every chat,
supervisors the chats of their groups, agents none.

Durations are seconds. A median is the middle value (the mean of the two middle ones for an even
count); a 90th percentile is the nearest rank: the smallest value that at least 90% of the values do
not exceed. Both are null when nothing was measured.
"""

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from chat_protocol.base import DEFERRED, ProtocolModel

MAX_REPORT_DAYS = 366  # a longer range is refused (422)
MAX_REPORT_COMMENTS = 50

ReportBy = Literal["agent", "group", "site", "tag"]


class Durations(ProtocolModel):
    """How long something took over `count` chats, in seconds."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


class ReportFigures(ProtocolModel):
    """The figures of a set of closed chats."""

    chats: int = 0
    missed: int = Field(default=0, description="Closed with no agent message.")
    first_response: Durations = Field(
        default_factory=Durations,
        description="First agent message minus first visitor message (time in the queue included), over"
        " the chats that have both.",
    )
    duration: Durations = Field(default_factory=Durations, description="Closed minus created.")
    good: int = 0
    bad: int = 0
    good_share: float | None = Field(default=None, description="good / (good + bad); null without ratings.")
    calls: int = Field(default=0, description="Chats with a video call.")


class ReportRow(ReportFigures):
    """The figures of one agent (the chat's last holder), group or site. `key` is null for the chats
    with none (never taken; in no group)."""

    model_config = DEFERRED  # a subclass of a built-on-use model would otherwise build at import

    key: str | None = None
    name: str = ""


class GreetingFigures(ProtocolModel):
    """Greetings shown in the range and how many the visitor accepted: one row per greeting rule
    (`rule_id`; `name` empty when the rule was deleted since), and one for manual invitations
    (`rule_id` null, `manual` true)."""

    rule_id: str | None = None
    name: str = ""
    manual: bool = False
    shown: int = 0
    accepted: int = 0


class RatingComment(ProtocolModel):
    """A visitor's comment with their rating, as plain text."""

    chat_id: str
    rated_at: datetime
    rating: Literal["good", "bad"] | None = None
    text: str


class Report(ProtocolModel):
    """`GET /api/v1/reports?since=&until=&by=`."""

    since: date
    until: date
    time_zone: str
    by: ReportBy | None = None
    totals: ReportFigures = Field(default_factory=ReportFigures)
    by_hour: list[int] = Field(default_factory=lambda: [0] * 24, description="Chats created per hour, 0-23.")
    by_weekday: list[int] = Field(
        default_factory=lambda: [0] * 7, description="Chats created per weekday, Monday first."
    )
    rows: list[ReportRow] = Field(
        default_factory=list,
        description="With `by`: one row per agent, group or site. A chat counts for every group it belongs"
        " to, so group rows may add up to more than the totals.",
    )
    greetings: list[GreetingFigures] = Field(default_factory=list)
    comments: list[RatingComment] = Field(
        default_factory=list, description=f"Newest first, at most {MAX_REPORT_COMMENTS}."
    )
