"""Tickets (`chat_protocol.tickets`): created from offline messages, chats, inbound e-mail and by hand;
listed, read, answered by e-mail, noted, assigned, moved, solved, marked as spam and merged.

Who sees which ticket (docs/roles.md "Tickets"), the group rule of chats: a ticket of one of my groups,
a ticket without a group, a ticket assigned to me; admins see every ticket. Whoever sees a ticket
acts on it. Marking a ticket as spam sets the same spam mark on its visitor as marking them from a
chat (no new chat, no offline message), and a spam ticket is never answered."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import (
    Agent,
    AgentGroup,
    Chat,
    EventRow,
    Group,
    OfflineMessageRow,
    Site,
    Visitor,
    utcnow,
)
from chat_backend.db.ticket_tables import MailOutboxRow, TicketAttachmentRow, TicketEntryRow, TicketRow
from chat_backend.domain import attachments as chat_files
from chat_backend.domain import audit, chats, exports, team_zone
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_protocol import ErrorCode
from chat_protocol.tickets import (
    ChatTicketCreate,
    TicketCreate,
    TicketPush,
    TicketState,
)

MAX_THREAD_ENTRIES = 2000


# --- who sees what ------------------------------------------------------------------------------


def visible_clause(actor: Actor) -> ColumnElement[bool]:
    if actor.is_admin:
        return true()
    return or_(
        TicketRow.group_id.is_(None),
        TicketRow.group_id.in_(sorted(actor.group_ids)),
        TicketRow.assignee_id == actor.agent_id,
    )


def may_see(actor: Actor, ticket: TicketRow) -> bool:
    return (
        actor.is_admin
        or ticket.group_id is None
        or ticket.group_id in actor.group_ids
        or ticket.assignee_id == actor.agent_id
    )


async def visible_ticket(session: AsyncSession, actor: Actor, ticket_id: str) -> TicketRow:
    ticket = await session.get(TicketRow, ticket_id)
    if ticket is None or not may_see(actor, ticket):
        raise DomainError(ErrorCode.NOT_FOUND, "No such ticket.")
    return ticket


async def audience(session: AsyncSession, ticket: TicketRow) -> set[str]:
    """The active agents who may see the ticket now (whom its `ticket` push goes to)."""
    query = select(Agent.id).where(Agent.active.is_(True))
    if ticket.group_id is not None:
        members = select(AgentGroup.agent_id).where(AgentGroup.group_id == ticket.group_id)
        clauses = [Agent.role == "admin", Agent.id.in_(members)]
        if ticket.assignee_id:
            clauses.append(Agent.id == ticket.assignee_id)
        query = query.where(or_(*clauses))
    return set((await session.scalars(query)).all())


# --- creating -----------------------------------------------------------------------------------


def subject_of(text: str, limit: int = 80) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            line = " ".join(line.split())
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


async def _next_number(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(TicketRow.number), 0))) or 0) + 1


async def valid_group(session: AsyncSession, group_id: str | None) -> str | None:
    if not group_id:
        return None
    if await session.get(Group, group_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such group.")
    return group_id


async def _new_ticket(
    session: AsyncSession,
    *,
    source: str,
    site_id: str,
    subject: str,
    requester_name: str,
    requester_email: str,
    group_id: str | None,
    created_by: str,
    client_id: str | None,
    visitor_id: str | None = None,
    chat_id: str | None = None,
    offline_message_id: str | None = None,
    when: datetime | None = None,
) -> TicketRow:
    now = when or utcnow()
    ticket = TicketRow(
        id=str(uuid.uuid4()),
        number=await _next_number(session),
        site_id=site_id,
        group_id=group_id,
        visitor_id=visitor_id,
        chat_id=chat_id,
        offline_message_id=offline_message_id,
        source=source,
        subject=(subject or "(no subject)")[:200],
        state=TicketState.OPEN.value,
        requester_name=requester_name[:100],
        requester_email=requester_email[:254],
        created_by=created_by,
        client_id=client_id,
        unanswered=True,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    await session.flush()
    return ticket


async def add_entry(
    session: AsyncSession,
    ticket: TicketRow,
    kind: str,
    *,
    text: str = "",
    author_name: str = "",
    author_agent_id: str | None = None,
    data: dict[str, Any] | None = None,
    client_id: str | None = None,
    when: datetime | None = None,
) -> TicketEntryRow:
    now = when or utcnow()
    entry = TicketEntryRow(
        id=str(uuid.uuid4()),
        ticket_id=ticket.id,
        kind=kind,
        author_agent_id=author_agent_id,
        author_name=author_name[:100],
        text=text,
        data=data or {},
        client_id=client_id,
        created_at=now,
    )
    session.add(entry)
    ticket.updated_at = now
    if kind == "visitor":
        ticket.unanswered, ticket.last_visitor_at = True, now
    elif kind == "reply":
        ticket.unanswered = False
    await session.flush()
    return entry


async def site_group(session: AsyncSession, site_id: str) -> str | None:
    """The site's default group, if it still exists."""
    site = await session.get(Site, site_id)
    if site is None or not site.default_group_id:
        return None
    return site.default_group_id if await session.get(Group, site.default_group_id) is not None else None


async def from_offline_message(
    session: AsyncSession, message: OfflineMessageRow, group_id: str | None = None
) -> TicketRow:
    """The ticket of an offline message (once: a retry finds the first one). Its group is the one the
    visitor picked, else the site's default group."""
    found = await session.scalars(select(TicketRow).where(TicketRow.offline_message_id == message.id))
    existing = found.first()
    if existing is not None:
        return existing
    if group_id and await session.get(Group, group_id) is None:
        group_id = None
    ticket = await _new_ticket(
        session,
        source="offline",
        site_id=message.site_id,
        subject=subject_of(message.text) or "(no subject)",
        requester_name=message.name,
        requester_email=message.email,
        group_id=group_id or await site_group(session, message.site_id),
        created_by=f"visitor:{message.visitor_id}",
        client_id=f"offline:{message.id}",
        visitor_id=message.visitor_id,
        offline_message_id=message.id,
        when=as_utc(message.created_at),
    )
    await add_entry(
        session,
        ticket,
        "visitor",
        text=message.text,
        author_name=message.name,
        client_id=f"offline:{message.id}",
        when=as_utc(message.created_at),
    )
    return ticket


async def adopt_offline_messages(session: AsyncSession, limit: int = 200) -> int:
    """Offline messages without a ticket (left on a node of the previous release during a rolling
    upgrade) get one. Run by the retention job; returns how many."""
    orphans = (
        await session.scalars(
            select(OfflineMessageRow)
            .where(~select(TicketRow.id).where(TicketRow.offline_message_id == OfflineMessageRow.id).exists())
            .order_by(OfflineMessageRow.created_at)
            .limit(limit)
        )
    ).all()
    for message in orphans:
        await from_offline_message(session, message)
    return len(orphans)


async def _retry(session: AsyncSession, created_by: str, client_id: str) -> TicketRow | None:
    found = await session.scalars(
        select(TicketRow).where(TicketRow.created_by == created_by, TicketRow.client_id == client_id)
    )
    return found.first()


async def create_manual(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, body: TicketCreate
) -> TicketRow:
    created_by = f"agent:{identity.agent_id}"
    existing = await _retry(session, created_by, body.client_id)
    if existing is not None:
        return existing
    if await session.get(Site, body.site_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such site.")
    group_id = await valid_group(session, body.group_id)
    ticket = await _new_ticket(
        session,
        source="manual",
        site_id=body.site_id,
        subject=body.subject.strip(),
        requester_name=body.requester_name.strip(),
        requester_email=body.requester_email.strip(),
        group_id=group_id,
        created_by=created_by,
        client_id=body.client_id,
    )
    if not may_see(actor, ticket):  # a group of others: the writer follows it as its assignee
        ticket.assignee_id = identity.agent_id
    await add_entry(session, ticket, "visitor", text=body.text, author_name=body.requester_name.strip())
    await audit.record(session, identity, "ticket.create", ticket.id, None, {"number": ticket.number})
    return ticket


async def from_chat(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, chat_id: str, body: ChatTicketCreate
) -> TicketRow:
    """A ticket from a chat the agent may read: the transcript is its first entry, the visitor its
    requester (their e-mail as the chat knows it, unless the agent gives one)."""
    created_by = f"agent:{identity.agent_id}"
    existing = await _retry(session, created_by, body.client_id)
    if existing is not None:
        return existing
    chat = await session.get(Chat, chat_id)
    if chat is None or not await chats.agent_may_read(session, actor, chat):
        raise DomainError(ErrorCode.NOT_FOUND, "No such chat.")
    visitor = await session.get(Visitor, chat.visitor_id)
    email = body.requester_email.strip() or (visitor.email if visitor else "")
    if email and "@" not in email:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "That is not an e-mail address.")
    team = await team_zone.team_settings(session)
    _name, _media, transcript = await exports.transcript(session, actor, chat_id, "txt", "en", team.time_zone)
    first_visitor_text = await session.scalar(
        select(EventRow.text)
        .where(EventRow.chat_id == chat_id, EventRow.kind == "message", EventRow.author_kind == "visitor")
        .where(EventRow.text != "")  # a file's message has no text: the subject comes from words
        .order_by(EventRow.seq)
        .limit(1)
    )
    ticket = await _new_ticket(
        session,
        source="chat",
        site_id=chat.site_id,
        subject=body.subject.strip() or subject_of(first_visitor_text or "") or "(no subject)",
        requester_name=visitor.name if visitor else "",
        requester_email=email,
        group_id=chat.group_id or await site_group(session, chat.site_id),
        created_by=created_by,
        client_id=body.client_id,
        visitor_id=chat.visitor_id,
        chat_id=chat.id,
    )
    if not may_see(actor, ticket):
        ticket.assignee_id = identity.agent_id
    await add_entry(
        session,
        ticket,
        "transcript",
        text=transcript,
        author_name=identity.name,
        author_agent_id=identity.agent_id,
    )
    ticket.unanswered = False
    await audit.record(session, identity, "ticket.create", ticket.id, None, {"number": ticket.number})
    return ticket


@dataclass(frozen=True)
class MailFile:
    """A file of a visitor's e-mail: its bytes put into the file store under `storage_key` before the
    transaction that records it, or (no store) carried in `data`."""

    filename: str
    content_type: str
    size: int
    storage_key: str | None = None
    data: bytes | None = None


async def from_email(
    session: AsyncSession,
    *,
    site_id: str,
    subject: str,
    from_name: str,
    from_email: str,
    text: str,
    message_id: str,
    attachments: Sequence[MailFile] = (),
) -> TicketRow:
    """A new ticket from an e-mail that answers none of ours (its group: the site's default one)."""
    ticket = await _new_ticket(
        session,
        source="email",
        site_id=site_id,
        subject=subject.strip() or subject_of(text) or "(no subject)",
        requester_name=from_name,
        requester_email=from_email,
        group_id=await site_group(session, site_id),
        created_by=f"email:{message_id}"[:80],
        client_id=None,
    )
    await visitor_email(session, ticket, from_name, text, message_id, attachments)
    return ticket


async def visitor_email(
    session: AsyncSession,
    ticket: TicketRow,
    from_name: str,
    text: str,
    message_id: str,
    attachments: Sequence[MailFile] = (),
) -> TicketEntryRow:
    """The visitor's e-mail joins the thread (with its files). A pending or solved ticket opens again;
    a spam ticket stays spam."""
    entry = await add_entry(
        session, ticket, "visitor", text=text, author_name=from_name, data={"message_id": message_id}
    )
    for file in attachments:
        session.add(
            TicketAttachmentRow(
                id=str(uuid.uuid4()),
                entry_id=entry.id,
                filename=file.filename[:255] or "attachment",
                content_type=file.content_type[:100],
                size=file.size,
                data=file.data or b"",
                storage_key=file.storage_key,
            )
        )
    if ticket.state in (TicketState.PENDING.value, TicketState.SOLVED.value):
        ticket.state = TicketState.OPEN.value
        await add_entry(session, ticket, "state", data={"state": TicketState.OPEN.value})
    await session.flush()
    return entry


async def open_count(session: AsyncSession, group_ids: Sequence[str] | None = None) -> int:
    query = select(func.count()).select_from(TicketRow).where(TicketRow.state == TicketState.OPEN.value)
    if group_ids is not None:
        query = query.where(or_(TicketRow.group_id.is_(None), TicketRow.group_id.in_(list(group_ids))))
    return int(await session.scalar(query) or 0)


async def forget_visitor(session: AsyncSession, visitor_id: str) -> None:
    """A visitor's data deletion: their tickets, threads and files go too."""
    ids = (await session.scalars(select(TicketRow.id).where(TicketRow.visitor_id == visitor_id))).all()
    for ticket_id in ids:
        entry_ids = (
            await session.scalars(select(TicketEntryRow.id).where(TicketEntryRow.ticket_id == ticket_id))
        ).all()
        if entry_ids:
            files = (
                await session.scalars(
                    select(TicketAttachmentRow).where(TicketAttachmentRow.entry_id.in_(list(entry_ids)))
                )
            ).all()
            # Their bytes in the store go once this transaction committed (`sweep_files`).
            await chat_files.forget_keys(session, [row.storage_key for row in files if row.storage_key])
            for row in files:
                await session.delete(row)
        for entry in (
            await session.scalars(select(TicketEntryRow).where(TicketEntryRow.ticket_id == ticket_id))
        ).all():
            await session.delete(entry)
        for mail in (
            await session.scalars(select(MailOutboxRow).where(MailOutboxRow.ticket_id == ticket_id))
        ).all():
            await session.delete(mail)
        ticket = await session.get(TicketRow, ticket_id)
        if ticket is not None:
            await session.delete(ticket)
    await session.flush()


async def news(
    session: AsyncSession, ticket_id: str, reason: Literal["created", "visitor_reply", "changed"]
) -> tuple[TicketPush, set[str]] | None:
    """The `ticket` push about a ticket and the agents it goes to (None: the ticket is gone)."""
    ticket = await session.get(TicketRow, ticket_id)
    if ticket is None:
        return None
    push = TicketPush(
        ticket_id=ticket.id,
        number=ticket.number,
        subject=ticket.subject,
        state=TicketState(ticket.state),
        reason=reason,
        notify=reason != "changed" and ticket.state != TicketState.SPAM.value,
    )
    return push, await audience(session, ticket)
