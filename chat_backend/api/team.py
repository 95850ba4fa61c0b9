"""`/api/v1/team`: the team view of supervisors and admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from chat_backend.api.deps import CurrentActor, State, raise_http
from chat_backend.domain import team
from chat_backend.domain.errors import DomainError
from chat_protocol.admin import TeamMember

router = APIRouter(prefix="/api/v1")


@router.get("/team")
async def get_team(
    actor: CurrentActor,
    state: State,
    since: Annotated[
        datetime | None, Query(description="Start of 'today' (ISO 8601; naive = UTC). Default: UTC midnight.")
    ] = None,
) -> list[TeamMember]:
    """Supervisors: the agents of their groups and themselves; admins: every active agent."""
    try:
        async with state.db.read() as session:
            return await team.team(session, actor, since, state.hub.online_agents())
    except DomainError as exc:
        raise_http(exc)
