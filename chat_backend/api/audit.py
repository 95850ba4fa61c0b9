"""`/api/v1/audit`: the audit log of every administrative change (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chat_backend.api.deps import CurrentActor, State, raise_http
from chat_backend.domain import audit
from chat_backend.domain.errors import DomainError
from chat_protocol.bounds import DB_INT_MAX
from chat_protocol.supervision import AuditEntry

router = APIRouter(prefix="/api/v1")


@router.get("/audit")
async def list_audit(
    actor: CurrentActor,
    state: State,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[
        int | None, Query(ge=1, le=DB_INT_MAX, description="Only entries older than this one.")
    ] = None,
) -> list[AuditEntry]:
    """Admins: newest first; `before_id` (the last `audit_id` of a page) pages back."""
    try:
        async with state.db.read() as session:
            return await audit.entries(session, actor, limit, before_id)
    except DomainError as exc:
        raise_http(exc)
