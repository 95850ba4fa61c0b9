"""E-mail in, acted on: one raw inbound mail inside a session (the IMAP job calls this once per mail,
each in its own transaction).

- Seen twice, stored once: the `mail_inbox` ledger keeps a hash of the Message-ID (of the raw bytes
  when there is none), so a mail fetched again after a crash between the commit and its deletion from
  the mailbox does nothing.
- A bounce marks the mail it returns (`mail_outbox`, by Message-ID) failed, "bounced: …"; no ticket
  changes.
- An auto-reply or bulk mail (out-of-office, lists) is only recorded in the ledger: it never opens or
  reopens a ticket, never adds to one (an agent has nothing to do about "I am away until Monday"), so
  nothing ever answers it (no mail loops).
- A reply whose In-Reply-To/References name a Message-ID we sent joins that ticket (a pending or solved
  ticket opens again). Anything else, even a mail that copies a ticket's subject "[#12]", is a new
  ticket: only our unguessable Message-IDs tie a mail to a ticket.
- The files of a person's mail go into the file store (`keep_files`, before the transaction; keys of
  "ticket/…") and stay downloads as they came: they are not inspected or re-encoded as chat files are."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import Site, utcnow
from chat_backend.db.ticket_tables import MailInboxRow, MailOutboxRow, TicketRow
from chat_backend.domain import mail_in, mail_out, tickets
from chat_backend.files.store import FileStore, StoreError, new_key
from chat_protocol.tickets import SmtpSettings

log = logging.getLogger(__name__)

Outcome = Literal["created", "joined", "auto_reply", "bounce", "duplicate", "ignored"]
TOO_LARGE_TEXT = "(This e-mail was larger than {mb} MB and was not kept. Ask the sender for smaller files.)"


@dataclass(frozen=True)
class Handled:
    outcome: Outcome
    ticket_id: str | None = None

    @property
    def news(self) -> Literal["created", "visitor_reply"] | None:
        """What to announce to the agents after the commit (None: nothing changed for them)."""
        return {"created": "created", "joined": "visitor_reply"}.get(self.outcome)  # type: ignore[return-value]


def dedupe_key(raw: bytes, message_id: str) -> str:
    source = f"mid:{message_id}".encode() if message_id else b"raw:" + raw
    return hashlib.sha256(source).hexdigest()


def read(raw: bytes, *, too_large: bool = False) -> mail_in.InboundMail:
    """The mail parsed. `too_large`: `raw` holds only the headers of a mail over the size limit; it
    becomes a visitor entry saying so (the agent can ask for smaller files)."""
    mail = mail_in.parse(raw)
    if too_large:
        text = TOO_LARGE_TEXT.format(mb=mail_in.MAX_RAW_BYTES // (1024 * 1024))
        mail = dataclasses.replace(mail, text=text, attachments=[], dropped=[])
    return mail


async def keep_files(store: FileStore, mail: mail_in.InboundMail) -> list[tickets.MailFile]:
    """Put the files of a person's mail into the store, before the transaction that records them (an
    auto-reply's or a bounce's files are never kept). Kept as they came: downloads, never inspected.
    A store that fails: the files already put are deleted and `StoreError` is raised."""
    if mail.kind != "mail":
        return []
    kept: list[tickets.MailFile] = []
    try:
        for found in mail.attachments:
            key = new_key("ticket")
            await store.put(key, found.data)
            kept.append(
                tickets.MailFile(found.filename, found.content_type, len(found.data), storage_key=key)
            )
    except StoreError:
        await drop_files(store, kept)
        raise
    return kept


async def drop_files(store: FileStore, kept: Sequence[tickets.MailFile]) -> None:
    """Delete files put into the store that no row names (the mail's transaction failed, or did not
    use them); a store that fails leaves them, logged."""
    keys = [file.storage_key for file in kept if file.storage_key]
    if not keys:
        return
    try:
        await store.delete(keys)
    except StoreError as exc:
        log.warning("file store: cannot delete the unrecorded files of a mail: %s", exc)


async def handle(
    session: AsyncSession,
    raw: bytes,
    *,
    too_large: bool = False,
    mail: mail_in.InboundMail | None = None,
    kept: Sequence[tickets.MailFile] | None = None,
) -> Handled:
    """Act on one inbound mail (`mail`: `raw` already `read`). Its files are `kept` (in the store), or
    without a store their bytes go into the database."""
    mail = mail if mail is not None else read(raw, too_large=too_large)
    key = dedupe_key(raw, mail.message_id)
    seen = await session.scalar(select(MailInboxRow).where(MailInboxRow.dedupe_key == key))
    if seen is not None:
        return Handled("duplicate", seen.ticket_id)
    handled = await _act(session, mail, kept)
    session.add(
        MailInboxRow(
            id=str(uuid.uuid4()),
            dedupe_key=key,
            outcome=handled.outcome,
            ticket_id=handled.ticket_id,
            received_at=utcnow(),
        )
    )
    await session.flush()
    return handled


async def _act(
    session: AsyncSession, mail: mail_in.InboundMail, kept: Sequence[tickets.MailFile] | None
) -> Handled:
    if mail.kind == "bounce":
        return await _bounce(session, mail)
    ticket = await _ticket_answered(session, mail)
    if mail.kind == "auto_reply":
        return Handled("auto_reply", ticket.id if ticket else None)
    text = _text(mail)
    files = (
        list(kept)
        if kept is not None
        else [
            tickets.MailFile(f.filename, f.content_type, len(f.data), data=f.data) for f in mail.attachments
        ]
    )
    if ticket is not None:
        await tickets.visitor_email(session, ticket, _author(mail), text, mail.message_id, files)
        return Handled("joined", ticket.id)
    site_id = await _site_of(session, mail)
    if site_id is None:  # no site at all: nothing to file it under
        return Handled("ignored")
    created = await tickets.from_email(
        session,
        site_id=site_id,
        subject=mail.subject,
        from_name=_author(mail),
        from_email=mail.from_address,
        text=text,
        message_id=mail.message_id,
        attachments=files,
    )
    return Handled("created", created.id)


def _author(mail: mail_in.InboundMail) -> str:
    return mail.from_name or mail.from_address


def _text(mail: mail_in.InboundMail) -> str:
    text = mail.text
    if mail.dropped:
        text += "\n\n(Files not kept: " + ", ".join(mail.dropped) + ")"
    return text.strip() or "(no text)"


async def _ticket_answered(session: AsyncSession, mail: mail_in.InboundMail) -> TicketRow | None:
    """The ticket one of our Message-IDs in the mail's thread belongs to (a merged ticket: the one it
    went into)."""
    ticket_id = await mail_out.ticket_of_references(session, mail.thread_ids)
    ticket = await session.get(TicketRow, ticket_id) if ticket_id else None
    for _hop in range(10):
        if ticket is None or not ticket.merged_into:
            break
        ticket = await session.get(TicketRow, ticket.merged_into)
    return ticket


async def _bounce(session: AsyncSession, mail: mail_in.InboundMail) -> Handled:
    ids = [m for m in mail.bounced_ids if m][: mail_in.MAX_REFERENCES]
    rows = (
        (await session.scalars(select(MailOutboxRow).where(MailOutboxRow.message_id.in_(ids)))).all()
        if ids
        else []
    )
    for row in rows:
        row.state = "failed"
        row.next_attempt_at = None
        row.last_error = f"bounced: {mail.bounce_reason or 'the mail server returned it'}"[:500]
    await session.flush()
    return Handled("bounce", rows[0].ticket_id if rows else None)


async def _site_of(session: AsyncSession, mail: mail_in.InboundMail) -> str | None:
    """The site whose sender address the mail was sent to, else the first site."""
    config: SmtpSettings = await mail_out.settings(session)
    wanted = {addr.lower() for addr in mail.to}
    for site_id, sender in sorted(config.senders.items()):
        if sender.lower() in wanted and await session.get(Site, site_id) is not None:
            return site_id
    first = await session.scalars(select(Site.id).order_by(Site.created_at, Site.id).limit(1))
    return first.first()
