"""training mode: agents.training (the agent practises), chats.training and chat_records.training
(a scripted visitor's chat on the training site, kept out of real routing, reports and archives)

Nullable-free boolean columns with a server default only: nodes of the previous release run unchanged
on the migrated schema (they write `false`, which is what their chats are).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_TABLES = ("agents", "chats", "chat_records")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column("training", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for table in reversed(_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("training")
