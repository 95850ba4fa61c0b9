"""Acting on tickets: replies (e-mailed, queued), notes, state, assignee and group, spam, merging a
duplicate (the ticket rule of `chat_backend.domain.tickets`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import (
    Agent,
)
from chat_backend.db.ticket_tables import MailOutboxRow, TicketAttachmentRow, TicketEntryRow, TicketRow
from chat_backend.domain import audit, mail_out, visitors
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.authz import Actor
from chat_backend.domain.errors import DomainError
from chat_backend.domain.tickets import add_entry, valid_group, visible_ticket
from chat_protocol import ErrorCode
from chat_protocol.tickets import (
    TicketChange,
    TicketMerge,
    TicketReply,
    TicketState,
)

# --- acting -------------------------------------------------------------------------------------


async def _existing_entry(session: AsyncSession, ticket: TicketRow, client_id: str) -> TicketEntryRow | None:
    found = await session.scalars(
        select(TicketEntryRow).where(
            TicketEntryRow.ticket_id == ticket.id, TicketEntryRow.client_id == client_id
        )
    )
    return found.first()


async def _references(session: AsyncSession, ticket: TicketRow) -> tuple[str | None, list[str]]:
    """In-Reply-To and References for the next e-mail of the ticket: every message of the thread we
    know of (ours and the visitor's), oldest first; it answers the newest."""
    ours = await session.execute(
        select(MailOutboxRow.message_id, MailOutboxRow.created_at).where(MailOutboxRow.ticket_id == ticket.id)
    )
    theirs = await session.execute(
        select(TicketEntryRow.data, TicketEntryRow.created_at).where(
            TicketEntryRow.ticket_id == ticket.id, TicketEntryRow.kind == "visitor"
        )
    )
    known: list[tuple[datetime, str]] = [(as_utc(at), mid) for mid, at in ours.all()]
    for data, at in theirs.all():
        mid = (data or {}).get("message_id")
        if isinstance(mid, str) and mid:
            known.append((as_utc(at), mid))
    known.sort()
    refs = [mid for _at, mid in known][-20:]
    return (refs[-1] if refs else None), refs


async def reply(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, ticket_id: str, body: TicketReply
) -> TicketRow:
    """An agent's answer, e-mailed to the requester (queued with this entry: never lost)."""
    ticket = await visible_ticket(session, actor, ticket_id)
    if await _existing_entry(session, ticket, body.client_id) is not None:
        return ticket
    if ticket.state == TicketState.SPAM.value:
        raise DomainError(ErrorCode.FORBIDDEN, "A spam ticket is never answered.")
    if not ticket.requester_email:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "This ticket has no e-mail address to answer.")
    entry = await add_entry(
        session,
        ticket,
        "reply",
        text=body.text,
        author_name=identity.name,
        author_agent_id=identity.agent_id,
        client_id=body.client_id,
    )
    in_reply_to, references = await _references(session, ticket)
    subject = ticket.subject if ticket.subject.lower().startswith("re:") else f"Re: {ticket.subject}"
    mail = await mail_out.enqueue(
        session,
        kind="reply",
        to_addr=ticket.requester_email,
        to_name=ticket.requester_name,
        subject=f"{subject} [#{ticket.number}]",
        body_text=body.text,
        site_id=ticket.site_id,
        ticket_id=ticket.id,
        in_reply_to=in_reply_to,
        references=references,
    )
    entry.mail_id = mail.id
    if ticket.assignee_id is None:
        ticket.assignee_id = identity.agent_id
    if body.state is not None:
        await _set_state(session, identity, ticket, body.state)
    elif ticket.state == TicketState.OPEN.value:
        await _set_state(session, identity, ticket, TicketState.PENDING)
    return ticket


async def note(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, ticket_id: str, body: TicketReply
) -> TicketRow:
    ticket = await visible_ticket(session, actor, ticket_id)
    if await _existing_entry(session, ticket, body.client_id) is None:
        await add_entry(
            session,
            ticket,
            "note",
            text=body.text,
            author_name=identity.name,
            author_agent_id=identity.agent_id,
            client_id=body.client_id,
        )
        if body.state is not None:
            await _set_state(session, identity, ticket, body.state)
    return ticket


async def _set_state(
    session: AsyncSession, identity: AgentIdentity, ticket: TicketRow, state: TicketState
) -> None:
    if ticket.state == state.value:
        return
    ticket.state = state.value
    await add_entry(
        session,
        ticket,
        "state",
        author_name=identity.name,
        author_agent_id=identity.agent_id,
        data={"state": state.value},
    )
    if state == TicketState.SPAM and ticket.visitor_id:
        await visitors.mark_spam(session, identity, ticket.visitor_id)


async def change(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, ticket_id: str, body: TicketChange
) -> TicketRow:
    ticket = await visible_ticket(session, actor, ticket_id)
    before = {"state": ticket.state, "assignee_id": ticket.assignee_id, "group_id": ticket.group_id}
    if body.assignee_id is not None and (body.assignee_id or None) != ticket.assignee_id:
        assignee = None
        if body.assignee_id:
            assignee = await session.get(Agent, body.assignee_id)
            if assignee is None or not assignee.active:
                raise DomainError(ErrorCode.NOT_FOUND, "No such agent.")
        ticket.assignee_id = assignee.id if assignee else None
        await add_entry(
            session,
            ticket,
            "assignee",
            author_name=identity.name,
            author_agent_id=identity.agent_id,
            data={"assignee_name": assignee.name if assignee else ""},
        )
    if body.group_id is not None and (body.group_id or None) != ticket.group_id:
        ticket.group_id = await valid_group(session, body.group_id)
        await add_entry(
            session,
            ticket,
            "group",
            author_name=identity.name,
            author_agent_id=identity.agent_id,
            data={"group_id": ticket.group_id},
        )
    if body.state is not None:
        await _set_state(session, identity, ticket, body.state)
    after = {"state": ticket.state, "assignee_id": ticket.assignee_id, "group_id": ticket.group_id}
    if after != before:
        await audit.record(session, identity, "ticket.update", ticket.id, before, after)
    return ticket


async def merge(
    session: AsyncSession, identity: AgentIdentity, actor: Actor, ticket_id: str, body: TicketMerge
) -> TicketRow:
    """The duplicate's thread is copied into the kept ticket (each entry once, in time order), the
    duplicate is solved and points at it. Both must be visible to the agent; the kept one is returned."""
    duplicate = await visible_ticket(session, actor, ticket_id)
    kept = await visible_ticket(session, actor, body.into)
    if kept.id == duplicate.id:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "A ticket cannot be merged into itself.")
    if duplicate.merged_into is not None:
        if duplicate.merged_into == kept.id:
            return kept
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "This ticket was already merged into another one.")
    if kept.merged_into is not None:
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "That ticket was merged into another one.")
    entries = (
        await session.scalars(
            select(TicketEntryRow)
            .where(
                TicketEntryRow.ticket_id == duplicate.id,
                TicketEntryRow.kind.in_(["visitor", "reply", "note", "transcript"]),
            )
            .order_by(TicketEntryRow.created_at)
        )
    ).all()
    for old in entries:
        copy = await add_entry(
            session,
            kept,
            old.kind,
            text=old.text,
            author_name=old.author_name,
            author_agent_id=old.author_agent_id,
            data={**(old.data or {}), "from_ticket": duplicate.number},
            when=as_utc(old.created_at),
        )
        copy.mail_id = old.mail_id
        files = (
            await session.scalars(select(TicketAttachmentRow).where(TicketAttachmentRow.entry_id == old.id))
        ).all()
        for f in files:
            f.entry_id = copy.id
    # Mail we sent about the duplicate now belongs to the kept ticket: replies to it land there.
    sent = (await session.scalars(select(MailOutboxRow).where(MailOutboxRow.ticket_id == duplicate.id))).all()
    for mail in sent:
        mail.ticket_id = kept.id
    duplicate.merged_into = kept.id
    await add_entry(
        session,
        duplicate,
        "merge",
        author_name=identity.name,
        author_agent_id=identity.agent_id,
        data={"merged_ticket": kept.number},
    )
    await _set_state(session, identity, duplicate, TicketState.SOLVED)
    await add_entry(
        session,
        kept,
        "merge",
        author_name=identity.name,
        author_agent_id=identity.agent_id,
        data={"merged_ticket": duplicate.number},
    )
    kept.unanswered = kept.unanswered or duplicate.unanswered
    await audit.record(session, identity, "ticket.merge", duplicate.id, None, {"into": kept.id})
    return kept
