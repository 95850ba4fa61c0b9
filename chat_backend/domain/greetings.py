"""Automatic greeting rules (admin-set conditions on a visitor's live row) and business hours.

Business hours are in the team's time zone (`team_zone`): `BusinessHours.time_zone` is read from it,
and a `PUT` that names another zone sets the team's zone (the field predates the team setting)."""

from __future__ import annotations

import fnmatch
import uuid
from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import GreetingRuleRow, InvitationRow, ServerSetting, Site, Visit, utcnow
from chat_backend.domain import team_zone
from chat_backend.domain.auth import as_utc
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.rest import TeamSettings
from chat_protocol.traffic import (
    BusinessHours,
    GreetingConditions,
    GreetingRule,
    GreetingRuleInput,
    TrafficRow,
)

_HOURS_KEY = "business_hours"
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --- pure logic -------------------------------------------------------------------------------


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(23, 59, 59) if (hours, minutes) == ("24", "00") else time(int(hours), int(minutes))


def check_business_hours(hours: BusinessHours) -> None:
    """Raise ValueError unless the zone (if named) exists and every day is `HH:MM`-`HH:MM` with start
    before end."""
    try:
        ZoneInfo(hours.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {hours.time_zone!r}") from exc
    for day, (start, end) in hours.days.items():
        try:
            opens, closes = _clock(start), _clock(end)
        except ValueError as exc:
            raise ValueError(f"{day}: times are HH:MM, e.g. 09:00") from exc
        if opens >= closes:
            raise ValueError(f"{day}: opening time must be before closing time")


def within_business_hours(hours: BusinessHours, now: datetime) -> bool:
    """True when `now` (aware) falls inside the opening hours of its weekday in the hours' zone."""
    try:
        local = now.astimezone(ZoneInfo(hours.time_zone or "UTC"))
        span = hours.days.get(_DAYS[local.weekday()])
        if span is None:
            return False
        opens, closes = _clock(span[0]), _clock(span[1])
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return opens <= local.time().replace(tzinfo=None) < closes


def conditions_met(
    conditions: GreetingConditions, row: TrafficRow, referrer: str, now: datetime, hours: BusinessHours
) -> bool:
    """Whether every set condition of a rule holds for a visitor's live row (unset ones are ignored).

    `referrer` is the visit's referrer; `now` is aware; `hours` are used for `business_hours_only`."""
    c = conditions
    on_site = (now - as_utc(row.visit_started_at)).total_seconds()
    on_page = (now - as_utc(row.page_started_at)).total_seconds()
    if c.min_time_on_site is not None and on_site < c.min_time_on_site:
        return False
    if c.min_time_on_page is not None and on_page < c.min_time_on_page:
        return False
    if c.url_pattern and not fnmatch.fnmatchcase(row.page_url.lower(), c.url_pattern.lower()):
        return False
    if c.min_pages_viewed is not None and row.pages_viewed < c.min_pages_viewed:
        return False
    if c.referrer_contains and c.referrer_contains.lower() not in referrer.lower():
        return False
    if c.device_class is not None and row.device_class != c.device_class:
        return False
    if c.returning is not None and row.returning != c.returning:
        return False
    if c.min_cart_value is not None and row.cart_value < c.min_cart_value:
        return False
    return not (c.business_hours_only and not within_business_hours(hours, now))


def first_match(
    rules: list[GreetingRuleRow],
    site_id: str,
    row: TrafficRow,
    referrer: str,
    now: datetime,
    hours: BusinessHours,
) -> GreetingRuleRow | None:
    """The first enabled rule (in creation order) for this site whose conditions hold."""
    for rule in rules:
        if not rule.enabled or rule.site_id not in (None, site_id):
            continue
        conditions = GreetingConditions.model_validate(rule.conditions or {})
        if conditions_met(conditions, row, referrer, now, hours):
            return rule
    return None


# --- storage ----------------------------------------------------------------------------------


def to_model(rule: GreetingRuleRow) -> GreetingRule:
    return GreetingRule(
        rule_id=rule.id,
        name=rule.name,
        site_id=rule.site_id,
        enabled=rule.enabled,
        text=rule.text,
        sender_name=rule.sender_name,
        conditions=GreetingConditions.model_validate(rule.conditions or {}),
        shown=rule.shown,
        accepted=rule.accepted,
    )


async def rule(session: AsyncSession, rule_id: str) -> GreetingRule | None:
    """One rule as the API shows it, or None."""
    found = await session.get(GreetingRuleRow, rule_id)
    return to_model(found) if found else None


async def rules(session: AsyncSession, enabled_only: bool = False) -> list[GreetingRuleRow]:
    query = select(GreetingRuleRow).order_by(GreetingRuleRow.created_at, GreetingRuleRow.id)
    if enabled_only:
        query = query.where(GreetingRuleRow.enabled.is_(True))
    return list((await session.scalars(query)).all())


async def _check_site(session: AsyncSession, site_id: str | None) -> None:
    if site_id is not None and await session.get(Site, site_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such site.")


def _apply(rule: GreetingRuleRow, body: GreetingRuleInput) -> None:
    rule.name, rule.site_id, rule.enabled = body.name.strip(), body.site_id, body.enabled
    rule.text, rule.sender_name = body.text, body.sender_name.strip()
    rule.conditions = body.conditions.model_dump(mode="json", exclude_defaults=True)


async def create_rule(session: AsyncSession, body: GreetingRuleInput) -> GreetingRule:
    await _check_site(session, body.site_id)
    rule = GreetingRuleRow(id=str(uuid.uuid4()), shown=0, accepted=0, created_at=utcnow())
    _apply(rule, body)
    session.add(rule)
    await session.flush()
    return to_model(rule)


async def update_rule(session: AsyncSession, rule_id: str, body: GreetingRuleInput) -> GreetingRule:
    rule = await session.get(GreetingRuleRow, rule_id)
    if rule is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such greeting rule.")
    await _check_site(session, body.site_id)
    _apply(rule, body)
    await session.flush()
    return to_model(rule)


async def delete_rule(session: AsyncSession, rule_id: str) -> None:
    """Deleting a rule keeps the invitations it sent (their `rule_id` stays, pointing nowhere)."""
    rule = await session.get(GreetingRuleRow, rule_id)
    if rule is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such greeting rule.")
    await session.delete(rule)


async def business_hours(session: AsyncSession) -> BusinessHours:
    """The opening hours, with the team's time zone."""
    row = await session.get(ServerSetting, _HOURS_KEY)
    hours = BusinessHours.model_validate(row.value) if row else BusinessHours()
    zone_name = (await team_zone.team_settings(session)).time_zone
    return hours.model_copy(update={"time_zone": zone_name})


async def save_business_hours(session: AsyncSession, value: BusinessHours) -> tuple[str, str] | None:
    """Save the days; a `time_zone` other than the team's becomes the team's. Returns (before, after)
    when the team's zone changed."""
    try:
        check_business_hours(value)
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, str(exc)) from exc
    before = (await team_zone.team_settings(session)).time_zone
    after = value.time_zone or before
    if after != before:
        await team_zone.save_team_settings(session, TeamSettings(time_zone=after))
    # The zone is kept beside the days too, for servers of the release before the team setting.
    stored = value.model_copy(update={"time_zone": after}).model_dump(mode="json")
    row = await session.get(ServerSetting, _HOURS_KEY)
    if row is None:
        session.add(ServerSetting(key=_HOURS_KEY, value=stored))
    else:
        row.value = stored
    return (before, after) if after != before else None


async def greeted_visits(session: AsyncSession, visit_ids: list[str]) -> set[str]:
    """Which of these visits already had an invitation (rules greet a visit at most once)."""
    if not visit_ids:
        return set()
    found = await session.scalars(select(InvitationRow.visit_id).where(InvitationRow.visit_id.in_(visit_ids)))
    return set(found.all())


async def visit_facts(session: AsyncSession, visit_ids: list[str]) -> dict[str, tuple[str, str]]:
    """Visit id -> (site id, referrer) for the rules' site filter and `referrer_contains`."""
    if not visit_ids:
        return {}
    found = await session.execute(
        select(Visit.id, Visit.site_id, Visit.referrer).where(Visit.id.in_(visit_ids))
    )
    return {visit_id: (site_id, referrer or "") for visit_id, site_id, referrer in found.all()}
