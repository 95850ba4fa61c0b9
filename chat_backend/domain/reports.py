"""Reports (`GET /api/v1/reports`): figures over the closed chats created in a range of days of the
team's time zone (`chat_protocol.reports` says what each figure is).

The archive (`chat_records`, written when a chat closes) holds every figure of a chat. One query reads
the range's records (the `created_at` index), their times as seconds since the epoch computed by the
database, and they are counted here: hours and weekdays need the team's zone, medians and percentiles
the values. Two more queries read the rating comments (a partial index of the rating events that carry
one) and the greetings. A 90-day report over 100,000 chats: `benchmarks/reports.py`.

Who sees what (`docs/roles.md`, "Reports"): admins every chat; a supervisor the chats queued for one
of their groups or last held by a member of one (not the chats they merely took part in, unlike the
archive rule); agents nothing (`forbidden`). Groups are today's: a chat counts for the groups its last
holder is in now.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Float, and_, case, cast, false, func, or_, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import (
    Agent,
    AgentGroup,
    ChatRecord,
    ChatTag,
    EventRow,
    GreetingRuleRow,
    Group,
    InvitationRow,
    Site,
    TagRow,
)
from chat_backend.domain import authz, team_zone
from chat_backend.domain.auth import as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.reports import (
    MAX_REPORT_COMMENTS,
    MAX_REPORT_DAYS,
    Durations,
    GreetingFigures,
    RatingComment,
    Report,
    ReportBy,
    ReportFigures,
    ReportRow,
)
from chat_protocol.traffic import InvitationState

# --- pure figures ---------------------------------------------------------------------------------


def median(ordered: list[float]) -> float | None:
    """The middle value of sorted values (the mean of the two middle ones for an even count)."""
    if not ordered:
        return None
    middle = len(ordered) // 2
    return float(ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2)


def p90(ordered: list[float]) -> float | None:
    """Nearest rank over sorted values: the smallest that at least 90% of the values do not exceed."""
    return float(ordered[math.ceil(0.9 * len(ordered)) - 1]) if ordered else None


def durations(values: list[float]) -> Durations:
    ordered = sorted(values)
    return Durations(count=len(ordered), median=median(ordered), p90=p90(ordered))


# A chat as the report reads it: site, group, last agent, then seconds since the epoch of its
# creation, close, first visitor message and first agent message, its rating and whether it had a call.
Row = Sequence[Any]
SITE, GROUP, AGENT, CREATED, CLOSED, FIRST_VISITOR, FIRST_AGENT, RATING, CALL, CHAT = range(10)


def figures_of(rows: Sequence[Row]) -> ReportFigures:
    """The figures of a set of chats, a pass over the rows per figure (list comprehensions: about ten
    times cheaper than one Python loop doing everything). Durations are rounded to the millisecond,
    which hides the float error of SQLite's Julian days."""
    answered = [row for row in rows if row[FIRST_AGENT] is not None]
    first = [
        round(row[FIRST_AGENT] - row[FIRST_VISITOR], 3) for row in answered if row[FIRST_VISITOR] is not None
    ]
    ratings = Counter(row[RATING] for row in rows)
    good, bad = ratings.get("good", 0), ratings.get("bad", 0)
    return ReportFigures(
        chats=len(rows),
        missed=len(rows) - len(answered),
        first_response=durations(first),
        duration=durations([round(row[CLOSED] - row[CREATED], 3) for row in rows]),
        good=good,
        bad=bad,
        good_share=good / (good + bad) if good + bad else None,
        calls=sum(1 for row in rows if row[CALL]),
    )


class LocalClock:
    """Hour of day and weekday of instants in a zone, remembered per quarter of an hour: every zone
    offset since 1970 is a whole number of quarters, and a quarter in which the offset changes is
    worked out instant by instant."""

    QUARTER = 900

    def __init__(self, where: ZoneInfo) -> None:
        self.where = where
        self._quarters: dict[int, tuple[int, int] | None] = {}

    def _exact(self, epoch: float) -> tuple[int, int]:
        local = datetime.fromtimestamp(epoch, self.where)
        return local.hour, local.weekday()

    def hour_and_weekday(self, epoch: float) -> tuple[int, int]:
        quarter = int(epoch // self.QUARTER)
        if quarter not in self._quarters:
            start = quarter * self.QUARTER
            first = datetime.fromtimestamp(start, self.where)
            last = datetime.fromtimestamp(start + self.QUARTER - 1, self.where)
            offset = first.utcoffset()
            steady = (
                offset == last.utcoffset()
                and offset is not None
                and offset.total_seconds() % self.QUARTER == 0
            )
            self._quarters[quarter] = (first.hour, first.weekday()) if steady else None
        known = self._quarters[quarter]
        return known if known is not None else self._exact(epoch)

    def count(self, instants: Iterable[float]) -> tuple[list[int], list[int]]:
        """How many instants fall in each hour of the day (0-23) and weekday (Monday first): counted
        per quarter of an hour, then each quarter placed once."""
        by_hour, by_weekday = [0] * 24, [0] * 7
        quarters: Counter[int] = Counter()
        for epoch in instants:
            quarters[int(epoch // self.QUARTER)] += 1
        unsteady = []
        for quarter, count in quarters.items():
            start = quarter * self.QUARTER
            self.hour_and_weekday(start)  # learns whether the quarter is steady
            known = self._quarters[quarter]
            if known is None:
                unsteady.append(quarter)
                continue
            by_hour[known[0]] += count
            by_weekday[known[1]] += count
        if unsteady:
            wanted = set(unsteady)
            for epoch in instants:
                if int(epoch // self.QUARTER) in wanted:
                    hour, weekday = self._exact(epoch)
                    by_hour[hour] += 1
                    by_weekday[weekday] += 1
        return by_hour, by_weekday


def epoch_of(column: Any, postgres: bool) -> ColumnElement[float]:
    """Seconds since the epoch of a timestamp column, as a float computed by the database (reading
    100,000 rows of datetimes costs more than the whole report)."""
    if postgres:
        return cast(func.extract("epoch", column), Float)
    # SQLite keeps UTC clock text; julianday reads it (2440587.5 is the Julian day of 1970-01-01).
    return (func.julianday(column) - 2440587.5) * 86400.0


EARLIEST, LATEST = date(1970, 1, 1), date(9998, 12, 31)  # a day's bounds in any zone stay datetimes


def check_range(since: date, until: date) -> None:
    if since < EARLIEST or until > LATEST:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "Days are from 1970-01-01 to 9998-12-31.")
    if until < since:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "`until` is before `since`.")
    if (until - since).days + 1 > MAX_REPORT_DAYS:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, f"A report covers at most {MAX_REPORT_DAYS} days.")


# --- who sees what --------------------------------------------------------------------------------


def reports_clause(actor: Actor) -> ColumnElement[bool]:
    """The reports rule over `ChatRecord`: admins all; supervisors their groups' chats."""
    real = ChatRecord.training.is_(False)  # training chats are in the training results only
    if actor.is_admin:
        return real
    if not actor.supervises or not actor.group_ids:
        return false()
    groups = sorted(actor.group_ids)
    teammates = select(AgentGroup.agent_id).where(AgentGroup.group_id.in_(groups))
    return and_(real, or_(ChatRecord.group_id.in_(groups), ChatRecord.agent_id.in_(teammates)))


# --- the report -----------------------------------------------------------------------------------


async def report(
    session: AsyncSession, actor: Actor, since: date, until: date, by: ReportBy | None
) -> Report:
    authz.require_supervisor(actor)
    check_range(since, until)
    zone_name = (await team_zone.team_settings(session)).time_zone
    where = team_zone.zone_or_utc(zone_name)
    start, end = team_zone.day_bounds(since, until, where)
    in_range = (ChatRecord.created_at >= start, ChatRecord.created_at < end, reports_clause(actor))
    postgres = session.get_bind().dialect.name == "postgresql"
    connection = await session.connection()  # plain rows: the ORM's result handling is not needed here
    rows: list[Row] = list(
        await connection.execute(
            select(
                ChatRecord.site_id,
                ChatRecord.group_id,
                ChatRecord.agent_id,
                epoch_of(ChatRecord.created_at, postgres),
                epoch_of(ChatRecord.closed_at, postgres),
                epoch_of(ChatRecord.first_visitor_message_at, postgres),
                epoch_of(ChatRecord.first_agent_message_at, postgres),
                ChatRecord.rating,
                ChatRecord.had_call,
                ChatRecord.chat_id,
            ).where(*in_range)
        )
    )
    groups_of = await _groups_of_agents(session) if by == "group" else {}
    tags_of = await _tags_of_chats(session, in_range) if by == "tag" else {}
    parts: dict[str | None, list[Row]] = defaultdict(list)
    if by == "tag":  # a chat counts once under each of its tags; untagged chats under none
        for row in rows:
            for key in tags_of.get(row[CHAT]) or (None,):
                parts[key].append(row)
    elif by is not None:
        for row in rows:
            for key in _keys(by, row[SITE], row[GROUP], row[AGENT], groups_of, actor):
                parts[key].append(row)
    by_hour, by_weekday = LocalClock(where).count([row[CREATED] for row in rows])
    return Report(
        since=since,
        until=until,
        time_zone=zone_name,
        by=by,
        totals=figures_of(rows),
        by_hour=by_hour,
        by_weekday=by_weekday,
        rows=await _rows(session, by, parts) if by is not None else [],
        greetings=await _greetings(session, actor, start, end),
        comments=await _comments(session, in_range, start),
    )


def _keys(
    by: ReportBy,
    site_id: str,
    group_id: str | None,
    agent_id: str | None,
    groups_of: dict[str, set[str]],
    actor: Actor,
) -> Iterable[str | None]:
    if by == "agent":
        return (agent_id,)
    if by == "site":
        return (site_id,)
    groups = set(groups_of.get(agent_id, ())) if agent_id else set()
    if group_id:
        groups.add(group_id)
    if not actor.is_admin:
        return groups & actor.group_ids  # a supervisor's rows are their own groups
    return groups or (None,)


async def _tags_of_chats(
    session: AsyncSession, in_range: tuple[ColumnElement[bool], ...]
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    query = select(ChatTag.chat_id, ChatTag.tag_id).join(ChatRecord, ChatRecord.chat_id == ChatTag.chat_id)
    for chat_id, tag_id in (await session.execute(query.where(*in_range))).all():
        found[chat_id].append(tag_id)
    return found


async def _groups_of_agents(session: AsyncSession) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for agent_id, group_id in (await session.execute(select(AgentGroup.agent_id, AgentGroup.group_id))).all():
        found[agent_id].add(group_id)
    return found


async def _rows(session: AsyncSession, by: ReportBy, parts: dict[str | None, list[Row]]) -> list[ReportRow]:
    keys = [key for key in parts if key is not None]
    columns = {
        "agent": (Agent.id, Agent.name),
        "group": (Group.id, Group.name),
        "site": (Site.id, Site.name),
        "tag": (TagRow.id, TagRow.name),
    }
    key_column, name_column = columns[by]
    names: dict[str, str] = {}
    if keys:
        found = await session.execute(select(key_column, name_column).where(key_column.in_(keys)))
        names = {key: name for key, name in found.all()}
    rows = [
        ReportRow(key=key, name=names.get(key, "") if key else "", **figures_of(chats).model_dump())
        for key, chats in parts.items()
    ]
    rows.sort(key=lambda row: (-row.chats, row.key is None, row.name.casefold(), row.key or ""))
    return rows


# The partial index `ix_events_rating_comments` holds exactly these rows; SQLite uses a partial index
# only for a query that spells out its condition, constants included (not bound parameters).
RATING_COMMENT = "events.kind = 'rating' AND events.text <> ''"


async def _comments(
    session: AsyncSession, in_range: tuple[ColumnElement[bool], ...], start: datetime
) -> list[RatingComment]:
    """The newest comments, from the index of rating comments: a rating comes after its chat began."""
    found = await session.execute(
        select(EventRow.chat_id, EventRow.created_at, EventRow.data, EventRow.text)
        .join(ChatRecord, ChatRecord.chat_id == EventRow.chat_id)
        .where(text(RATING_COMMENT), EventRow.created_at >= start, *in_range)
        .order_by(EventRow.created_at.desc(), EventRow.id.desc())
        .limit(MAX_REPORT_COMMENTS)
    )
    comments = []
    for chat_id, created, data, comment in found.all():
        rating = (data or {}).get("rating")
        comments.append(
            RatingComment(
                chat_id=chat_id,
                rated_at=as_utc(created),
                rating=rating if rating in ("good", "bad") else None,
                text=comment,
            )
        )
    return comments


async def _greetings(
    session: AsyncSession, actor: Actor, start: datetime, end: datetime
) -> list[GreetingFigures]:
    """Every rule (shown or not), rules deleted since that greeted in the range, then manual
    invitations: admins all of them, supervisors those of their groups' agents and their own."""
    accepted = func.sum(case((InvitationRow.state == InvitationState.ACCEPTED.value, 1), else_=0))
    manual = InvitationRow.rule_id.is_(None)
    mine: ColumnElement[bool] = true()
    if not actor.is_admin:
        teammates = select(AgentGroup.agent_id).where(AgentGroup.group_id.in_(sorted(actor.group_ids)))
        mine = or_(~manual, InvitationRow.agent_id == actor.agent_id, InvitationRow.agent_id.in_(teammates))
    found = await session.execute(
        select(InvitationRow.rule_id, func.count(), accepted)
        .where(InvitationRow.created_at >= start, InvitationRow.created_at < end, mine)
        .group_by(InvitationRow.rule_id)
    )
    counts = {rule_id: (int(shown), int(taken or 0)) for rule_id, shown, taken in found.tuples().all()}
    rules = (await session.execute(select(GreetingRuleRow.id, GreetingRuleRow.name))).tuples().all()
    rows = [
        GreetingFigures(
            rule_id=rule_id,
            name=name,
            shown=counts.get(rule_id, (0, 0))[0],
            accepted=counts.get(rule_id, (0, 0))[1],
        )
        for rule_id, name in sorted(rules, key=lambda pair: (pair[1].casefold(), pair[0]))
    ]
    known = {rule_id for rule_id, _name in rules}
    for rule_id, (shown, taken) in sorted(counts.items(), key=lambda item: item[0] or ""):
        if rule_id is not None and rule_id not in known:
            rows.append(GreetingFigures(rule_id=rule_id, name="", shown=shown, accepted=taken))
    shown, taken = counts.get(None, (0, 0))
    rows.append(GreetingFigures(rule_id=None, manual=True, shown=shown, accepted=taken))
    return rows
