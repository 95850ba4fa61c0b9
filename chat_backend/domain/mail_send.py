"""The mail job's pass: sends the queued `mail_outbox` rows through the admins' SMTP relay
(`SmtpSettings`), in the order they were queued, with retries and backoff.

- A row is due when it is `queued` and its `next_attempt_at` has come. Rows go in created order, and a
  pass stops at the first failure: later mail never overtakes earlier mail. A row also waits while an
  earlier row to the same address waits for its retry, so one visitor's replies arrive in order.
- A failure counts an attempt, keeps the error (the relay's answer, never a password) and retries after
  `RETRY_FIRST` seconds, doubling up to `RETRY_MAX`; after `MAX_ATTEMPTS` the row is `failed`, shown on
  its ticket entry and in `GET /api/v1/mail/outbox`, where an admin can queue it again.
- While sending is off (not enabled, no host, no sender) mail waits queued and counts no attempts.
- Each row is sent outside any transaction (a slow relay holds no database lock), then marked sent in a
  transaction fenced by the job's lease. A node that loses its lease between the two may send a mail
  twice: delivery is at least once, never lost.

`now` is a parameter everywhere: tests drive the retry clock without waiting."""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import aiosmtplib
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_backend.db.engine import Database
from chat_backend.db.ticket_tables import MailOutboxRow
from chat_backend.domain import audit, mail_out
from chat_backend.domain.auth import AgentIdentity, as_utc
from chat_backend.domain.errors import DomainError
from chat_backend.domain.mail_compose import BadAddress, compose
from chat_protocol import ErrorCode
from chat_protocol.tickets import MailStatus, SmtpSettings

log = logging.getLogger(__name__)


class Lease(Protocol):
    """The job's lease (`chat_backend.cluster.lease.Lease`): writes are fenced by `check`."""

    @property
    def held(self) -> bool: ...

    async def check(self, session: AsyncSession) -> None: ...


RETRY_FIRST = 30.0
RETRY_MAX = 3600.0
MAX_ATTEMPTS = 12
BATCH = 200  # queued rows read per pass (the oldest)
SEND_TIMEOUT = 30.0
ERROR_CHARS = 500
OUTBOX_PAGE = 200


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s, 60 s, 120 s, ... at most an hour."""
    return timedelta(seconds=min(RETRY_MAX, RETRY_FIRST * 2 ** max(0, attempts - 1)))


def sending_on(config: SmtpSettings) -> bool:
    return config.enabled and bool(config.host.strip()) and bool(config.default_sender or config.senders)


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """The system's CAs, plus `CHAT_SMTP_CA_FILE` (a private CA, a self-signed relay) when set."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def error_text(exc: BaseException, config: SmtpSettings) -> str:
    """What an admin reads about a failure: its kind and the relay's answer, secrets blanked."""
    text = f"{type(exc).__name__}: {exc}".strip()
    for secret in (config.password, config.imap_password):
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())[:ERROR_CHARS]


async def deliver(row: MailOutboxRow, config: SmtpSettings, context: ssl.SSLContext) -> None:
    """Compose and send one row; raises on any failure (`BadAddress`: it can never be sent)."""
    sender = mail_out.sender_for(config, row.site_id)
    if not sender:
        raise BadAddress(f"No sender address for site {row.site_id!r} and no default sender.")
    message, envelope = compose(row, sender, config.reply_to)
    await aiosmtplib.send(
        message,
        sender=envelope.sender,
        recipients=[envelope.recipient],
        hostname=config.host.strip(),
        port=config.port,
        username=config.username or None,
        password=(config.password or None) if config.username else None,
        use_tls=config.security == "tls",
        start_tls=config.security == "starttls",
        tls_context=context if config.security != "none" else None,
        timeout=SEND_TIMEOUT,
    )


@dataclass
class PassResult:
    sent: list[str] = field(default_factory=list)  # mail ids, in the order they went
    failed: str | None = None  # the mail whose failure stopped the pass
    tickets: set[str] = field(default_factory=set)  # tickets whose replies were sent or failed


async def _due(session: AsyncSession, now: datetime) -> list[MailOutboxRow]:
    """The due rows in created order, less those behind an earlier waiting row to the same address."""
    queued = (
        await session.scalars(
            select(MailOutboxRow)
            .where(MailOutboxRow.state == "queued")
            .order_by(MailOutboxRow.created_at, MailOutboxRow.id)
            .limit(BATCH)
        )
    ).all()
    waiting: set[str] = set()
    due: list[MailOutboxRow] = []
    for row in queued:
        address = row.to_addr.strip().lower()
        if address in waiting:
            continue
        if row.next_attempt_at is not None and as_utc(row.next_attempt_at) > now:
            waiting.add(address)
            continue
        due.append(row)
    return due


async def send_due(
    db: Database,
    lease: Lease | None,
    now: datetime,
    *,
    ca_file: str = "",
) -> PassResult:
    """One pass: send what is due at `now`, in order, stopping at the first failure."""
    result = PassResult()
    async with db.read() as session:
        config = await mail_out.settings(session)
        if not sending_on(config):
            return result
        due = await _due(session, now)
    if not due:
        return result
    context = tls_context(ca_file)
    for row in due:
        if lease is not None and not lease.held:
            break
        try:
            await deliver(row, config, context)
        except Exception as exc:
            await _record_failure(db, lease, row.id, exc, config, now)
            result.failed = row.id
            if row.ticket_id:
                result.tickets.add(row.ticket_id)
            if isinstance(exc, BadAddress):
                continue  # this mail only; the relay is fine
            break
        await _record_sent(db, lease, row.id, now)
        result.sent.append(row.id)
        if row.ticket_id:
            result.tickets.add(row.ticket_id)
    if result.sent:
        log.info("sent %d e-mails", len(result.sent))
    return result


async def _record_sent(db: Database, lease: Lease | None, mail_id: str, now: datetime) -> None:
    async with db.write_quiet() as session:
        if lease is not None:
            await lease.check(session)
        row = await session.get(MailOutboxRow, mail_id)
        if row is not None:
            row.state = "sent"
            row.sent_at = now
            row.next_attempt_at = None
            row.last_error = ""
            row.attempts += 1


async def _record_failure(
    db: Database, lease: Lease | None, mail_id: str, exc: BaseException, config: SmtpSettings, now: datetime
) -> None:
    text = error_text(exc, config)
    async with db.write_quiet() as session:
        if lease is not None:
            await lease.check(session)
        row = await session.get(MailOutboxRow, mail_id)
        if row is None:
            return
        row.attempts += 1
        row.last_error = text
        if isinstance(exc, BadAddress) or row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
            row.next_attempt_at = None
            log.warning("e-mail %s failed for good after %d attempts: %s", mail_id, row.attempts, text)
        else:
            row.next_attempt_at = now + retry_delay(row.attempts)
            log.warning("e-mail %s not sent (attempt %d), retrying: %s", mail_id, row.attempts, text)


# --- the admins' view -----------------------------------------------------------------------------


def status_of(row: MailOutboxRow) -> MailStatus:
    return MailStatus(
        mail_id=row.id,
        kind=row.kind,
        to=row.to_addr,
        subject=row.subject,
        state="failed" if row.state == "failed" else "queued" if row.state == "queued" else "sent",
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=as_utc(row.created_at),
        next_attempt_at=as_utc(row.next_attempt_at) if row.next_attempt_at else None,
        sent_at=as_utc(row.sent_at) if row.sent_at else None,
    )


async def outbox(session: AsyncSession) -> list[MailStatus]:
    """Mail that waits or failed, newest first (at most `OUTBOX_PAGE`)."""
    rows = await session.scalars(
        select(MailOutboxRow)
        .where(MailOutboxRow.state.in_(("queued", "failed")))
        .order_by(MailOutboxRow.created_at.desc(), MailOutboxRow.id.desc())
        .limit(OUTBOX_PAGE)
    )
    return [status_of(row) for row in rows.all()]


async def retry(session: AsyncSession, identity: AgentIdentity, mail_id: str, now: datetime) -> MailStatus:
    """A failed mail queued again, due now, with its attempts counted afresh; a waiting one is due now
    (its attempts kept). Audited. A sent mail is not sent again (`invalid_payload`)."""
    row = await session.get(MailOutboxRow, mail_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such e-mail.")
    if row.state == "sent":
        raise DomainError(ErrorCode.INVALID_PAYLOAD, "This e-mail was sent already.")
    before = {"state": row.state, "attempts": row.attempts}
    if row.state == "failed":
        row.state = "queued"
        row.attempts = 0
    row.next_attempt_at = now
    await audit.record(session, identity, "mail.retry", row.id, before, {"state": row.state})
    await session.flush()
    return status_of(row)
