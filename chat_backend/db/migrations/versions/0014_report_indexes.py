"""Indexes for reports: chat_records.created_at (the closed chats created in a range of days) and the
rating comments among the events (the newest of a range)

Indexes only: nodes of the previous release run unchanged on the migrated schema, so nodes can be
upgraded one at a time.

Revision ID: 0014
Revises: 0013
"""

from alembic import op
from sqlalchemy import text

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

RATING_COMMENT = "kind = 'rating' AND text <> ''"


def upgrade() -> None:
    op.create_index("ix_chat_records_created", "chat_records", ["created_at"])
    op.create_index(
        "ix_events_rating_comments",
        "events",
        ["created_at", "id"],
        sqlite_where=text(RATING_COMMENT),
        postgresql_where=text(RATING_COMMENT),
    )


def downgrade() -> None:
    op.drop_index("ix_events_rating_comments", table_name="events")
    op.drop_index("ix_chat_records_created", table_name="chat_records")
