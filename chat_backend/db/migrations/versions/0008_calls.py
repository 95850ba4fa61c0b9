"""calls: the state of 1:1 video calls (the call settings live in server_settings)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("chat_id", sa.String(length=36), nullable=False),
        sa.Column("agent_id", sa.String(length=36), nullable=False),
        sa.Column("visitor_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("ended_by", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"]),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"]),
        sa.ForeignKeyConstraint(["visitor_id"], ["visitors.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "client_id", name="uq_calls_agent_client"),
    )
    op.create_index("ix_calls_chat_state", "calls", ["chat_id", "state"])
    op.create_index("ix_calls_visitor_state", "calls", ["visitor_id", "state"])
    op.create_index("ix_calls_agent_state", "calls", ["agent_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_calls_agent_state", table_name="calls")
    op.drop_index("ix_calls_visitor_state", table_name="calls")
    op.drop_index("ix_calls_chat_state", table_name="calls")
    op.drop_table("calls")
