"""attachments: files sent in chats (`chat_protocol.attachments`); their bytes live in the file store,
and file_deletions: store keys still to delete

New tables only: nodes of the previous release run unchanged on the migrated schema.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("chat_id", sa.String(36), sa.ForeignKey("chats.id"), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("author_key", sa.String(50), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("category", sa.String(10), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(100), nullable=False),
        sa.Column("thumbnail_key", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_attachments_chat_id", "attachments", ["chat_id"])
    op.create_index("ix_attachments_event_id", "attachments", ["event_id"])
    op.create_table(
        "file_deletions",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("file_deletions")
    op.drop_table("attachments")
