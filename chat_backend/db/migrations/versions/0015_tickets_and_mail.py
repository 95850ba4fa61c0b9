"""tickets and e-mail: tickets, their thread and attachments, the mail outbox and the inbound-mail
ledger, a site's default group; every offline message left before becomes a ticket

New tables and a nullable column only: nodes of the previous release run unchanged on the migrated
schema (their new offline messages become tickets when a node of this release's retention job runs:
`chat_backend.domain.tickets.adopt_offline_messages`).

Revision ID: 0015
Revises: 0014
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sites", sa.Column("default_group_id", sa.String(length=36), nullable=True))
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=True),
        sa.Column("assignee_id", sa.String(length=36), nullable=True),
        sa.Column("visitor_id", sa.String(length=36), nullable=True),
        sa.Column("chat_id", sa.String(length=36), nullable=True),
        sa.Column("offline_message_id", sa.String(length=36), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requester_name", sa.String(length=100), nullable=False),
        sa.Column("requester_email", sa.String(length=254), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("merged_into", sa.String(length=36), nullable=True),
        sa.Column("unanswered", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_visitor_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["assignee_id"], ["agents.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.ForeignKeyConstraint(["visitor_id"], ["visitors.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("offline_message_id"),
        sa.UniqueConstraint("created_by", "client_id", name="uq_tickets_creator_client"),
    )
    for column in ("site_id", "group_id", "assignee_id", "visitor_id", "chat_id", "state"):
        op.create_index(f"ix_tickets_{column}", "tickets", [column])
    op.create_index("ix_tickets_updated", "tickets", ["updated_at", "id"])
    op.create_table(
        "ticket_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("author_agent_id", sa.String(length=36), nullable=True),
        sa.Column("author_name", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("mail_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "client_id", name="uq_ticket_entries_client"),
    )
    op.create_index("ix_ticket_entries_ticket_id", "ticket_entries", ["ticket_id"])
    op.create_table(
        "ticket_attachments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["ticket_entries.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ticket_attachments_entry_id", "ticket_attachments", ["entry_id"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.Column("site_id", sa.String(length=64), nullable=True),
        sa.Column("ticket_id", sa.String(length=36), nullable=True),
        sa.Column("chat_id", sa.String(length=36), nullable=True),
        sa.Column("to_addr", sa.String(length=320), nullable=False),
        sa.Column("to_name", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_mail_outbox_ticket_id", "mail_outbox", ["ticket_id"])
    op.create_index("ix_mail_outbox_due", "mail_outbox", ["state", "next_attempt_at"])
    op.create_table(
        "mail_inbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    _offline_messages_become_tickets()


def _offline_messages_become_tickets() -> None:
    """Every offline message left before this release becomes an open ticket, oldest first, with the
    message as the visitor's first entry. None is lost: the offline messages stay where they were."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, site_id, visitor_id, name, email, text, created_at FROM offline_messages "
            "ORDER BY created_at, id"
        )
    ).all()
    tickets = sa.table(
        "tickets",
        *(
            sa.column(name)
            for name in [
                "id",
                "number",
                "site_id",
                "visitor_id",
                "offline_message_id",
                "source",
                "subject",
                "state",
                "requester_name",
                "requester_email",
                "created_by",
                "client_id",
                "unanswered",
                "created_at",
                "updated_at",
                "last_visitor_at",
            ]
        ),
    )
    entries = sa.table(
        "ticket_entries",
        *(
            sa.column(n)
            for n in ["id", "ticket_id", "kind", "author_name", "text", "client_id", "created_at"]
        ),
        sa.column("data", sa.JSON()),
    )
    for number, (message_id, site_id, visitor_id, name, email, text, created_at) in enumerate(rows, 1):
        ticket_id = str(uuid.uuid4())
        first_line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
        bind.execute(
            tickets.insert().values(
                id=ticket_id,
                number=number,
                site_id=site_id,
                visitor_id=visitor_id,
                offline_message_id=message_id,
                source="offline",
                subject=first_line[:80] or "(no subject)",
                state="open",
                requester_name=(name or "")[:100],
                requester_email=(email or "")[:254],
                created_by=f"visitor:{visitor_id}",
                client_id=f"offline:{message_id}",
                unanswered=True,
                created_at=created_at,
                updated_at=created_at,
                last_visitor_at=created_at,
            )
        )
        bind.execute(
            entries.insert().values(
                id=str(uuid.uuid4()),
                ticket_id=ticket_id,
                kind="visitor",
                author_name=(name or "")[:100],
                text=text or "",
                data={},
                client_id=f"offline:{message_id}",
                created_at=created_at,
            )
        )


def downgrade() -> None:
    op.drop_table("mail_inbox")
    op.drop_table("mail_outbox")
    op.drop_table("ticket_attachments")
    op.drop_table("ticket_entries")
    op.drop_table("tickets")
    op.drop_column("sites", "default_group_id")
