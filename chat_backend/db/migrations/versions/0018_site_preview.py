"""live page preview: sites.preview ("consent", "allowed" or "off"; `chat_protocol.preview`)

A column with a server default only: nodes of the previous release run unchanged on the migrated
schema (their sites ask the visitor's consent, which is the default).

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sites", sa.Column("preview", sa.String(10), nullable=False, server_default="consent"))


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("preview")
