"""archives: chat_records, chat_participants and archive_docs with a bigram index; every chat closed
before this release is archived here

New tables only (and, on SQLite, the FTS5 table `archive_fts`): nodes of the previous release run
unchanged on the migrated schema; the chats they close meanwhile are archived by the retention job of a
node of this release (when it starts, then hourly).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from chat_backend.domain.archive import record_missing

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "chat_records",
        sa.Column("chat_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=True),
        sa.Column("agent_id", sa.String(length=36), nullable=True),
        sa.Column("visitor_id", sa.String(length=36), nullable=False),
        sa.Column("visitor_name", sa.String(length=100), nullable=False),
        sa.Column("visitor_email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_visitor_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_agent_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=4), nullable=True),
        sa.Column("had_call", sa.Boolean(), nullable=False),
        sa.Column("transferred", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"]),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.create_index("ix_chat_records_closed", "chat_records", ["closed_at", "chat_id"])
    op.create_index("ix_chat_records_visitor", "chat_records", ["visitor_id"])
    op.create_table(
        "chat_participants",
        sa.Column("chat_id", sa.String(length=36), nullable=False),
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"]),
        sa.PrimaryKeyConstraint("chat_id", "agent_id"),
    )
    op.create_index("ix_chat_participants_agent_id", "chat_participants", ["agent_id"])
    op.create_table(
        "archive_docs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", postgresql.TSVECTOR() if postgres else sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_archive_docs_chat_id", "archive_docs", ["chat_id"])
    if postgres:
        op.create_index("ix_archive_docs_tokens", "archive_docs", ["tokens"], postgresql_using="gin")
    else:
        # Contentless (the texts are in archive_docs), no positions or sizes: only "which rows hold
        # every token" is asked.
        op.execute(
            "CREATE VIRTUAL TABLE archive_fts USING fts5("
            "tokens, content='', columnsize=0, detail=none, tokenize='ascii')"
        )
    record_missing(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE archive_fts")
    op.drop_table("archive_docs")
    op.drop_table("chat_participants")
    op.drop_table("chat_records")
