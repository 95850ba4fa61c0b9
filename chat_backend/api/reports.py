"""`/api/v1/reports`: figures over the closed chats of a range of days (`chat_protocol.reports`)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from chat_backend.api.deps import CurrentActor, State, raise_http, raise_invalid
from chat_backend.domain import reports
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.reports import Report, ReportBy

router = APIRouter(prefix="/api/v1")


@router.get("/reports")
async def get_report(
    since: date, until: date, actor: CurrentActor, state: State, by: ReportBy | None = None
) -> Report:
    """Supervisors (their groups' chats) and admins (every chat); `since` and `until` are days of the
    team's time zone, both included, at most 366 days. `by`: one row per agent, group or site."""
    try:
        async with state.db.read() as session:
            return await reports.report(session, actor, since, until, by)
    except DomainError as exc:
        if exc.code == ErrorCode.FORBIDDEN:
            raise_http(exc)
        raise_invalid(exc)
