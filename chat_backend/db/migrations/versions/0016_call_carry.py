"""calls.carry_until: a call whose visitor accepted a page push waits this long for the pushed page

A nullable column only: nodes of the previous release run unchanged on the migrated schema (they never
set it, so their page pushes end calls as before).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("calls", sa.Column("carry_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("calls", "carry_until")
