"""The team's time zone (an admin setting, `/api/v1/settings/team`): the one zone business hours are
in and reports count days, hours and weekdays in.

Before it existed, business hours carried their own zone: a database whose admins saved business
hours then keeps that zone until an admin sets the team's (`_legacy_zone`); otherwise it is Asia/Tokyo,
the zone business hours had by default."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import ServerSetting
from chat_backend.domain import server_settings
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.rest import TeamSettings

_SETTINGS_KEY = "team"
_HOURS_KEY = "business_hours"  # where business hours kept their own zone before


def zone(name: str) -> ZoneInfo:
    """The zone of an IANA name; DomainError(invalid_payload) for a name that is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long for a path
        raise DomainError(ErrorCode.INVALID_PAYLOAD, f"Unknown time zone {name[:64]!r}.") from exc


async def _legacy_zone(session: AsyncSession) -> str | None:
    row = await session.get(ServerSetting, _HOURS_KEY)
    value = row.value.get("time_zone") if row is not None else None
    return value if isinstance(value, str) and value else None


async def team_settings(session: AsyncSession) -> TeamSettings:
    row = await session.get(ServerSetting, _SETTINGS_KEY)
    if row is not None:
        return TeamSettings.model_validate(row.value)
    legacy = await _legacy_zone(session)
    return TeamSettings(time_zone=legacy) if legacy else TeamSettings()


def zone_or_utc(name: str) -> ZoneInfo:
    """The zone of a stored name; UTC if this server no longer knows it."""
    try:
        return zone(name)
    except DomainError:
        return ZoneInfo("UTC")


async def save_team_settings(session: AsyncSession, value: TeamSettings) -> None:
    zone(value.time_zone)
    await server_settings.save(session, _SETTINGS_KEY, value)
    await session.flush()


def day_bounds(first: date, last: date, where: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants (UTC: SQLite stores the clock, not the offset) from the start of `first` to the
    start of the day after `last` in `where`; a day across a daylight-saving change is 23 or 25 hours."""
    start = datetime.combine(first, time(), tzinfo=where)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=where)
    return start.astimezone(UTC), end.astimezone(UTC)
