"""SQLAlchemy tables. Every durable event lives in `events`, written with its state change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from chat_backend.db.base import Base, utcnow

__all__ = ["Base", "utcnow"]  # and the tables; tickets and e-mail are in `chat_backend.db.ticket_tables`


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="agent")
    status: Mapped[str] = mapped_column(String(20), default="not_accepting")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    max_chats: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set by an admin's temporary password; cleared when the agent chooses their own.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # In training mode (`chat_backend.domain.training`): gets scripted training chats only.
    training: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The language of their scripted visitors ("ja", "en"); None: every language.
    training_language: Mapped[str | None] = mapped_column(String(8), nullable=True)


class AuthSession(Base):
    """One login: an access token and a refresh token, stored as SHA-256 hashes."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), index=True)
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_hash: Mapped[str] = mapped_column(String(64), unique=True)
    access_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refresh_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The login this session belongs to: the first session's id, kept by every refresh. A rotated
    # refresh token used again revokes the whole family (OAuth 2.0 Security BCP, reuse detection).
    family_id: Mapped[str] = mapped_column(String(36), index=True)


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Tickets from this site's offline form go to this group unless the visitor picked one.
    default_group_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Live page preview (`chat_protocol.preview`): "consent", "allowed" or "off".
    preview: Mapped[str] = mapped_column(String(10), default="consent", server_default="consent")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Visitor(Base):
    __tablename__ = "visitors"
    # A new visitor's number is max(number) of the site: an index lookup, not a scan of every visitor.
    __table_args__ = (Index("ix_visitors_site_number", "site_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # What the site told us (`identify`, `setCustomData`, `setCart`) and what agents corrected.
    email: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(100), default="")
    external_id: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    custom_data: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    cart: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    language: Mapped[str] = mapped_column(String(64), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    visit_count: Mapped[int] = mapped_column(Integer, default=0)
    first_visit_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    current_visit_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # The visitor's spam mark (who set it, when): no new chat, no offline message while it is set.
    spam_marked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    spam_marked_by: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), nullable=True)


class Visit(Base):
    """One stay on the site: a new one starts after `visit_gap` (30 min) without being seen."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_visitor_started", "visitor_id", "started_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id"))
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    landing_url: Mapped[str] = mapped_column(Text, default="")
    referrer: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    utm_medium: Mapped[str] = mapped_column(String(100), default="")
    utm_campaign: Mapped[str] = mapped_column(String(100), default="")
    device_class: Mapped[str] = mapped_column(String(10), default="unknown")
    os: Mapped[str] = mapped_column(String(64), default="")
    browser: Mapped[str] = mapped_column(String(64), default="")
    pages_viewed: Mapped[int] = mapped_column(Integer, default=0)


class PageViewRow(Base):
    """A page a visitor opened; purged after the retention set in `server_settings` (`traffic`)."""

    __tablename__ = "page_views"
    __table_args__ = (
        Index("ix_page_views_visit", "visit_id", "id"),
        Index("ix_page_views_viewed_at", "viewed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id"))
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(300), default="")
    viewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Chat(Base):
    __tablename__ = "chats"
    __table_args__ = (
        Index("ix_chats_state", "state"),
        Index("ix_chats_agent_state", "agent_id", "state"),
        # The team view's "chats today" reads the chats taken since midnight.
        Index("ix_chats_taken_at", "taken_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    group_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    assigned: Mapped[bool] = mapped_column(Boolean, default=False)
    visitor_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    agent_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    visitor_presence: Mapped[str] = mapped_column(String(10), default="active")
    last_visitor_activity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    previous_agent_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A scripted visitor's chat on the training site: routed to agents in training only.
    training: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class EventRow(Base):
    """The event log. `id` is the global resume cursor; (author_key, client_id) makes sends idempotent."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("chat_id", "seq", name="uq_events_chat_seq"),
        UniqueConstraint("author_key", "client_id", name="uq_events_author_client"),
        # The team view's first-response times start from the agent messages written since midnight.
        Index("ix_events_created_at", "created_at"),
        # Reports: the newest rating comments (`chat_backend.domain.reports`).
        Index(
            "ix_events_rating_comments",
            "created_at",
            "id",
            sqlite_where=text("kind = 'rating' AND text <> ''"),
            postgresql_where=text("kind = 'rating' AND text <> ''"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    audience: Mapped[str] = mapped_column(String(10), default="all")
    author_kind: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    author_name: Mapped[str] = mapped_column(String(100), default="")
    author_key: Mapped[str] = mapped_column(String(50))
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class AgentGroup(Base):
    __tablename__ = "agent_groups"

    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), primary_key=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("groups.id"), primary_key=True)


class CannedReplyRow(Base):
    """A canned reply; `owner_id` None means shared with the team."""

    __tablename__ = "canned_replies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), nullable=True, index=True)
    shortcut: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OfflineMessageRow(Base):
    __tablename__ = "offline_messages"
    __table_args__ = (UniqueConstraint("visitor_id", "client_id", name="uq_offline_visitor_client"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ServerSetting(Base):
    """Admin-set values (routing and timing), one JSON document per key."""

    __tablename__ = "server_settings"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class GreetingRuleRow(Base):
    """An automatic greeting set by an admin; `site_id` None applies to every site."""

    __tablename__ = "greeting_rules"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    text: Mapped[str] = mapped_column(Text)
    sender_name: Mapped[str] = mapped_column(String(100), default="")
    conditions: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    shown: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InvitationRow(Base):
    """A greeting shown to a visitor, from an agent (`agent_id`) or a rule (`rule_id`).

    `author_key` is `agent:<id>` or `rule:<id>`; with `client_id` it makes retries idempotent."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("author_key", "client_id", name="uq_invitations_author_client"),
        Index("ix_invitations_visitor_visit", "visitor_id", "visit_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id"))
    visit_id: Mapped[str] = mapped_column(String(36))
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    rule_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    author_key: Mapped[str] = mapped_column(String(50))
    client_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    sender_name: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(20), default="shown")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    chat_id: Mapped[str | None] = mapped_column(ForeignKey("chats.id"), nullable=True)


class AuditRow(Base):
    """One admin (or supervisor) change: who, what, when, and the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_created", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor_id: Mapped[str] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(100), default="")
    before: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CallRow(Base):
    """A 1:1 video call of a chat (`chat_protocol.calls`). The state lives here so any node can act on
    it; in-process timers only trigger the ring timeout and the disconnect grace."""

    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("agent_id", "client_id", name="uq_calls_agent_client"),
        Index("ix_calls_chat_state", "chat_id", "state"),
        Index("ix_calls_visitor_state", "visitor_id", "state"),
        Index("ix_calls_agent_state", "agent_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id"))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    # ringing, connecting, connected, reconnecting, ended
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    connected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # The visitor accepted a page push during the call: the pushed page's login resumes it until then
    # (`chat_backend.domain.calls.carry_over`); past it the call ends as `disconnected`.
    carry_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class JobLease(Base):
    """Which node runs a cluster-wide job until when (`chat_backend.cluster.lease`). `token` grows with
    every change of holder: a pass checks it in its own transaction (fencing), so a node that lost the
    lease while paused writes nothing."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    token: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChatRecord(Base):
    """A closed chat as the archives and reports read it, written when the chat closes
    (`chat_backend.domain.archive`); the visitor's name and e-mail are those of that moment."""

    __tablename__ = "chat_records"
    __table_args__ = (
        Index("ix_chat_records_closed", "closed_at", "chat_id"),
        Index("ix_chat_records_created", "created_at"),  # reports
        Index("ix_chat_records_visitor", "visitor_id"),
    )

    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(36))
    group_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    agent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    visitor_id: Mapped[str] = mapped_column(String(36))
    visitor_name: Mapped[str] = mapped_column(String(100), default="")
    visitor_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_visitor_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    first_agent_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[str | None] = mapped_column(String(4), nullable=True)
    had_call: Mapped[bool] = mapped_column(Boolean, default=False)
    transferred: Mapped[bool] = mapped_column(Boolean, default=False)
    # A training chat: never in the archives' search nor in the reports. No Python default: migration
    # 0012 archives older chats with `archive.record_chat`, before this column exists.
    training: Mapped[bool] = mapped_column(Boolean, server_default=false())


class ChatParticipant(Base):
    """An agent who took part in a closed chat: held it, had it transferred away, or wrote in it."""

    __tablename__ = "chat_participants"

    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id"), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


class ArchiveDoc(Base):
    """A searchable text of a closed chat: a message, a note, or the visitor's fields. `text` is the
    normalised form (`chat_backend.domain.search_text`); the bigram index is SQLite's FTS5 table
    `archive_fts` (rowid = `id`) or, on PostgreSQL, `tokens` with its GIN index."""

    __tablename__ = "archive_docs"
    __table_args__ = (
        Index("ix_archive_docs_tokens", "tokens", postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"), nullable=True)


class TagRow(Base):
    """A chat tag an admin defined (`chat_protocol.tags`)."""

    __tablename__ = "tags"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    colour: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ChatTag(Base):
    """A tag on a chat, open or closed."""

    __tablename__ = "chat_tags"

    chat_id: Mapped[str] = mapped_column(ForeignKey("chats.id"), primary_key=True)
    tag_id: Mapped[str] = mapped_column(ForeignKey("tags.id"), primary_key=True, index=True)
    tagged_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    tagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
