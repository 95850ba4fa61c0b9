"""Tickets read: the list with counts per state, a ticket's thread, its files (the ticket rule of
`chat_backend.domain.tickets`)."""

from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import (
    Agent,
)
from chat_backend.db.ticket_tables import MailOutboxRow, TicketAttachmentRow, TicketEntryRow, TicketRow
from chat_backend.domain.auth import as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.tickets import visible_clause, visible_ticket
from chat_protocol import ErrorCode
from chat_protocol.tickets import (
    TICKET_PAGE_MAX,
    TicketAttachment,
    TicketCounts,
    TicketDetail,
    TicketEntry,
    TicketList,
    TicketState,
    TicketSummary,
)

MAX_THREAD_ENTRIES = 2000


# --- reading ------------------------------------------------------------------------------------


def _cursor(value: str) -> tuple[datetime, str]:
    try:
        stamp, _, ticket_id = base64.urlsafe_b64decode(value.encode()).decode().partition("|")
        return datetime.fromisoformat(stamp), ticket_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "Bad cursor.") from exc


def _encode_cursor(ticket: TicketRow) -> str:
    return base64.urlsafe_b64encode(f"{as_utc(ticket.updated_at).isoformat()}|{ticket.id}".encode()).decode()


async def _names(session: AsyncSession, agent_ids: set[str]) -> dict[str, str]:
    if not agent_ids:
        return {}
    rows = await session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(sorted(agent_ids))))
    return {agent_id: name for agent_id, name in rows.all()}


def summary(ticket: TicketRow, names: dict[str, str]) -> TicketSummary:
    return TicketSummary(
        ticket_id=ticket.id,
        number=ticket.number,
        subject=ticket.subject,
        state=TicketState(ticket.state),
        source=ticket.source,
        site_id=ticket.site_id,
        group_id=ticket.group_id,
        assignee_id=ticket.assignee_id,
        assignee_name=names.get(ticket.assignee_id or "", ""),
        requester_name=ticket.requester_name,
        requester_email=ticket.requester_email,
        visitor_id=ticket.visitor_id,
        chat_id=ticket.chat_id,
        created_at=as_utc(ticket.created_at),
        updated_at=as_utc(ticket.updated_at),
        last_visitor_at=as_utc(ticket.last_visitor_at) if ticket.last_visitor_at else None,
        unanswered=ticket.unanswered,
        merged_into=ticket.merged_into,
    )


async def list_tickets(
    session: AsyncSession,
    actor: Actor,
    *,
    state: TicketState | None = None,
    assignee: str | None = None,
    group_id: str | None = None,
    q: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> TicketList:
    """Newest change first. `assignee`: an agent id, `me`, or `none` (unassigned). `q`: part of the
    subject, the requester's name or e-mail, or `#number`."""
    filters: list[ColumnElement[bool]] = [visible_clause(actor)]
    if assignee == "none":
        filters.append(TicketRow.assignee_id.is_(None))
    elif assignee:
        filters.append(TicketRow.assignee_id == (actor.agent_id if assignee == "me" else assignee))
    if group_id:
        filters.append(TicketRow.group_id == group_id)
    needle = q.strip()
    if needle:
        if needle.startswith("#") and needle[1:].isdigit():
            filters.append(TicketRow.number == int(needle[1:]))
        else:
            pattern = "%" + needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            filters.append(
                or_(
                    func.lower(TicketRow.subject).like(pattern, escape="\\"),
                    func.lower(TicketRow.requester_name).like(pattern, escape="\\"),
                    func.lower(TicketRow.requester_email).like(pattern, escape="\\"),
                )
            )
    counted = await session.execute(
        select(TicketRow.state, func.count()).where(*filters).group_by(TicketRow.state)
    )
    counts = TicketCounts(**{str(s): int(n) for s, n in counted.all() if s in TicketState._value2member_map_})
    query = select(TicketRow).where(*filters)
    if state is not None:
        query = query.where(TicketRow.state == state.value)
    if cursor:
        stamp, ticket_id = _cursor(cursor)
        query = query.where(
            or_(TicketRow.updated_at < stamp, (TicketRow.updated_at == stamp) & (TicketRow.id < ticket_id))
        )
    limit = max(1, min(limit, TICKET_PAGE_MAX))
    rows = list(
        (
            await session.scalars(
                query.order_by(TicketRow.updated_at.desc(), TicketRow.id.desc()).limit(limit + 1)
            )
        )
        .unique()
        .all()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    names = await _names(session, {r.assignee_id for r in rows if r.assignee_id})
    return TicketList(
        tickets=[summary(r, names) for r in rows],
        counts=counts,
        next_cursor=_encode_cursor(rows[-1]) if more and rows else None,
    )


async def detail(
    session: AsyncSession, actor: Actor, ticket_id: str, *, just_changed: bool = False
) -> TicketDetail:
    """The ticket and its thread. `just_changed`: the answer to the caller's own change, given even
    when that change (a move to another group) took the ticket out of their sight."""
    ticket = await session.get(TicketRow, ticket_id) if just_changed else None
    if ticket is None:
        ticket = await visible_ticket(session, actor, ticket_id)
    entries = (
        await session.scalars(
            select(TicketEntryRow)
            .where(TicketEntryRow.ticket_id == ticket.id)
            .order_by(TicketEntryRow.created_at, TicketEntryRow.id)
            .limit(MAX_THREAD_ENTRIES)
        )
    ).all()
    entry_ids = [e.id for e in entries]
    files: dict[str, list[TicketAttachment]] = {}
    if entry_ids:
        rows = await session.execute(
            select(
                TicketAttachmentRow.id,
                TicketAttachmentRow.entry_id,
                TicketAttachmentRow.filename,
                TicketAttachmentRow.content_type,
                TicketAttachmentRow.size,
            ).where(TicketAttachmentRow.entry_id.in_(entry_ids))
        )
        for attachment_id, entry_id, filename, content_type, size in rows.all():
            files.setdefault(entry_id, []).append(
                TicketAttachment(
                    attachment_id=attachment_id, filename=filename, content_type=content_type, size=size
                )
            )
    mail_ids = [e.mail_id for e in entries if e.mail_id]
    mails: dict[str, tuple[str, str]] = {}
    if mail_ids:
        found = await session.execute(
            select(MailOutboxRow.id, MailOutboxRow.state, MailOutboxRow.last_error).where(
                MailOutboxRow.id.in_(mail_ids)
            )
        )
        mails = {mail_id: (state, error) for mail_id, state, error in found.all()}
    names = await _names(session, {ticket.assignee_id} if ticket.assignee_id else set())
    return TicketDetail(
        ticket=summary(ticket, names),
        entries=[_entry(e, files.get(e.id, []), mails.get(e.mail_id or "")) for e in entries],
    )


def _entry(row: TicketEntryRow, files: list[TicketAttachment], mail: tuple[str, str] | None) -> TicketEntry:
    data = row.data or {}
    state = data.get("state")
    merged = data.get("merged_ticket")
    return TicketEntry(
        entry_id=row.id,
        kind=row.kind,
        created_at=as_utc(row.created_at),
        author_name=row.author_name,
        author_id=row.author_agent_id,
        text=row.text,
        state=TicketState(str(state)) if state in TicketState._value2member_map_ else None,
        assignee_name=str(data.get("assignee_name") or ""),
        group_id=str(data["group_id"]) if data.get("group_id") else None,
        merged_ticket=int(merged) if isinstance(merged, int) else None,
        mail_state=mail[0] if mail else None,
        mail_error=mail[1] if mail else "",
        attachments=files,
    )


async def attachment(
    session: AsyncSession, actor: Actor, ticket_id: str, attachment_id: str
) -> TicketAttachmentRow:
    ticket = await visible_ticket(session, actor, ticket_id)
    row = await session.get(TicketAttachmentRow, attachment_id)
    entry = await session.get(TicketEntryRow, row.entry_id) if row is not None else None
    if row is None or entry is None or entry.ticket_id != ticket.id:
        raise DomainError(ErrorCode.NOT_FOUND, "No such attachment.")
    return row
