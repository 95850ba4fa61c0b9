"""auth_sessions.family_id: the login a session was refreshed from, for refresh-token reuse detection

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family_id", sa.String(length=36), nullable=True))
    # Sessions from before: each is its own login (the ones it was refreshed from are revoked already).
    op.execute("UPDATE auth_sessions SET family_id = id")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.alter_column("family_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_index("ix_auth_sessions_family_id", ["family_id"])


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_sessions_family_id")
        batch_op.drop_column("family_id")
