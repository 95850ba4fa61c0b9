"""E-mail out, queued: a mail is a `mail_outbox` row written in the same transaction as what caused it
(a ticket reply, a transcript request, the daily summary), so nothing is lost when the relay is down
or the node dies; the mail job (`chat_backend.domain.mail_send`) sends it with retries and backoff.

Every Message-ID the product makes is `<random@sender-domain>`: unguessable, so a visitor's reply
joins a ticket only when its `In-Reply-To`/`References` name one we sent (`ticket_of_references`)."""

from __future__ import annotations

import html
import secrets
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.tables import utcnow
from chat_backend.db.ticket_tables import MailOutboxRow
from chat_backend.domain import audit, mail_compose, server_settings
from chat_backend.domain.auth import AgentIdentity
from chat_protocol.tickets import SmtpSettings

EMAIL_KEY = "email"


async def settings(session: AsyncSession) -> SmtpSettings:
    return await server_settings.load(session, EMAIL_KEY, SmtpSettings)


def sender_for(config: SmtpSettings, site_id: str | None) -> str:
    """The site's sender address, else the default one (empty when none is set)."""
    if site_id and config.senders.get(site_id):
        return config.senders[site_id]
    return config.default_sender


def new_message_id(sender: str) -> str:
    """`<random@domain>` in ASCII (an internationalized domain as punycode, as it goes on the wire)."""
    try:
        domain = mail_compose.ascii_domain(sender.rpartition("@")[2])
    except mail_compose.BadAddress:
        domain = "localhost"
    return f"<{secrets.token_hex(16)}@{domain}>"


def plain_to_html(text: str) -> str:
    """Plain text as HTML that shows the same: every character escaped, paragraphs and line breaks kept."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n")]
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    to_addr: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    to_name: str = "",
    site_id: str | None = None,
    ticket_id: str | None = None,
    chat_id: str | None = None,
    dedupe_key: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    auto_submitted: bool = False,
    when: datetime | None = None,
) -> MailOutboxRow:
    """Queue one e-mail (due now, or at `when`); sent by the mail job after this transaction commits."""
    config = await settings(session)
    row = MailOutboxRow(
        id=str(uuid.uuid4()),
        kind=kind,
        dedupe_key=dedupe_key,
        site_id=site_id,
        ticket_id=ticket_id,
        chat_id=chat_id,
        to_addr=to_addr,
        to_name=to_name[:100],
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html or plain_to_html(body_text),
        message_id=new_message_id(sender_for(config, site_id)),
        headers={
            "in_reply_to": in_reply_to,
            "references": list(references or []),
            "auto_submitted": auto_submitted,
        },
        state="queued",
        attempts=0,
        next_attempt_at=when or utcnow(),
        last_error="",
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row


async def ticket_of_references(session: AsyncSession, message_ids: list[str]) -> str | None:
    """The ticket one of our sent Message-IDs belongs to (None: none of them is ours)."""
    wanted = [m.strip() for m in message_ids if m.strip()][:50]
    if not wanted:
        return None
    found = await session.scalars(
        select(MailOutboxRow.ticket_id).where(
            MailOutboxRow.message_id.in_(wanted), MailOutboxRow.ticket_id.is_not(None)
        )
    )
    return found.first()


def shown(config: SmtpSettings) -> SmtpSettings:
    """The settings as an admin reads them: passwords never leave the server, only whether one is set."""
    return config.model_copy(
        update={
            "password": None,
            "password_set": bool(config.password),
            "imap_password": None,
            "imap_password_set": bool(config.imap_password),
        }
    )


async def replace_settings(
    session: AsyncSession, identity: AgentIdentity, body: SmtpSettings
) -> SmtpSettings:
    """An admin's new settings (audited without passwords); a password left out keeps the stored one,
    an empty one clears it."""
    before = await settings(session)
    after = body.model_copy(
        update={
            "password": before.password if body.password is None else body.password,
            "imap_password": before.imap_password if body.imap_password is None else body.imap_password,
            "password_set": False,
            "imap_password_set": False,
        }
    )
    await server_settings.save(session, EMAIL_KEY, after)
    secret = {"password", "imap_password"}
    await audit.record(
        session,
        identity,
        "settings.email",
        "email",
        shown(before).model_dump(mode="json", exclude=secret),
        shown(after).model_dump(mode="json", exclude=secret),
    )
    return shown(after)
