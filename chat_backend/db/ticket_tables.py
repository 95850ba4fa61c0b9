"""Tickets and e-mail tables (`chat_protocol.tickets`); on `chat_backend.db.tables.Base`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from chat_backend.db.base import Base, utcnow


class TicketRow(Base):
    """A ticket (`chat_protocol.tickets`): from an offline message, a chat, an e-mail or by hand.
    A visitor's reply joins it only when its In-Reply-To/References name a Message-ID we sent about
    it (`mail_outbox.message_id`, random)."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("created_by", "client_id", name="uq_tickets_creator_client"),
        Index("ix_tickets_updated", "updated_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    group_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), nullable=True, index=True)
    visitor_id: Mapped[str | None] = mapped_column(ForeignKey("visitors.id"), nullable=True, index=True)
    chat_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    offline_message_id: Mapped[str | None] = mapped_column(String(36), nullable=True, unique=True)
    source: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), index=True)
    requester_name: Mapped[str] = mapped_column(String(100), default="")
    requester_email: Mapped[str] = mapped_column(String(254), default="")
    created_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    merged_into: Mapped[str | None] = mapped_column(String(36), nullable=True)
    unanswered: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_visitor_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TicketEntryRow(Base):
    """One item of a ticket's thread (`chat_protocol.tickets.TicketEntry`)."""

    __tablename__ = "ticket_entries"
    __table_args__ = (UniqueConstraint("ticket_id", "client_id", name="uq_ticket_entries_client"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    author_agent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    author_name: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    mail_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TicketAttachmentRow(Base):
    """A file that came with a visitor's e-mail; served to agents only, as a download. Its bytes are in
    the file store under `storage_key` (migration 0020), or, for files that came before, in `data`."""

    __tablename__ = "ticket_attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("ticket_entries.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # empty when the file is in the store
    storage_key: Mapped[str | None] = mapped_column(String(100), nullable=True)


class MailOutboxRow(Base):
    """An e-mail to send: queued in the same transaction as what caused it, sent by the mail job with
    retries and backoff; `dedupe_key` makes "at most one" rules hold (one transcript per chat, one
    summary per person and day)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)
    site_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ticket_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    chat_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    to_addr: Mapped[str] = mapped_column(String(320))
    to_name: Mapped[str] = mapped_column(String(100), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    headers: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class MailInboxRow(Base):
    """An inbound e-mail already handled (by its Message-ID, or a hash of it): seen twice, stored once."""

    __tablename__ = "mail_inbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))
    ticket_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
