"""agents.training_language: the language a trainee practises in ("ja" or "en"); the training job
sends them scripted visitors of that language only. NULL: scenarios of every language (as before).

A nullable column: nodes of the previous release run unchanged on the migrated schema (they never
write it, and a trainee they switch gets both languages).

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("training_language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("training_language")
