"""agents.must_change_password (temporary passwords), and the indexes of the team view's day figures

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_chats_taken_at", "chats", ["taken_at"])
    op.create_index("ix_events_created_at", "events", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_events_created_at", table_name="events")
    op.drop_index("ix_chats_taken_at", table_name="chats")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
