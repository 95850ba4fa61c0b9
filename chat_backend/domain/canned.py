"""Canned replies: shared (team) ones editable by supervisors and admins, personal ones by their owner.
Changes to team replies are audited; personal ones are their owner's business."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import CannedReplyRow, utcnow
from chat_backend.domain import audit
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.canned import CannedReply, CannedReplyInput

EDITS_TEAM = ("supervisor", "admin")


def _model(row: CannedReplyRow) -> CannedReply:
    return CannedReply(
        canned_id=row.id,
        shortcut=row.shortcut,
        title=row.title,
        text=row.text,
        owner_id=row.owner_id,
        updated_at=as_utc(row.updated_at),
    )


def _dump(row: CannedReplyRow) -> dict[str, Any]:
    return {"shortcut": row.shortcut, "title": row.title, "text": row.text, "shared": row.owner_id is None}


async def visible(session: AsyncSession, agent: AgentIdentity) -> list[CannedReply]:
    rows = await session.scalars(
        select(CannedReplyRow)
        .where(or_(CannedReplyRow.owner_id.is_(None), CannedReplyRow.owner_id == agent.agent_id))
        .order_by(CannedReplyRow.shortcut)
    )
    return [_model(r) for r in rows.all()]


def _check_shared(agent: AgentIdentity, shared: bool) -> None:
    if shared and agent.role not in EDITS_TEAM:
        raise DomainError(ErrorCode.FORBIDDEN, "Only supervisors and admins edit team replies.")


async def create(session: AsyncSession, agent: AgentIdentity, body: CannedReplyInput) -> CannedReply:
    _check_shared(agent, body.shared)
    row = CannedReplyRow(
        id=str(uuid.uuid4()),
        owner_id=None if body.shared else agent.agent_id,
        shortcut=body.shortcut,
        title=body.title,
        text=body.text,
        updated_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    if body.shared:
        await audit.record(session, agent, "canned.create", row.id, None, _dump(row))
    return _model(row)


async def _editable(session: AsyncSession, agent: AgentIdentity, canned_id: str) -> CannedReplyRow:
    row = await session.get(CannedReplyRow, canned_id)
    if row is None or (row.owner_id is not None and row.owner_id != agent.agent_id):
        raise DomainError(ErrorCode.NOT_FOUND, "No such canned reply.")
    _check_shared(agent, row.owner_id is None)
    return row


async def update(
    session: AsyncSession, agent: AgentIdentity, canned_id: str, body: CannedReplyInput
) -> CannedReply:
    row = await _editable(session, agent, canned_id)
    _check_shared(agent, body.shared)
    before = _dump(row)
    row.shortcut, row.title, row.text, row.updated_at = body.shortcut, body.title, body.text, utcnow()
    row.owner_id = None if body.shared else agent.agent_id
    if before["shared"] or body.shared:  # a team reply changed, or one became or stopped being one
        await audit.record(session, agent, "canned.update", row.id, before, _dump(row))
    return _model(row)


async def delete(session: AsyncSession, agent: AgentIdentity, canned_id: str) -> None:
    row = await _editable(session, agent, canned_id)
    if row.owner_id is None:
        await audit.record(session, agent, "canned.delete", row.id, _dump(row), None)
    await session.delete(row)
