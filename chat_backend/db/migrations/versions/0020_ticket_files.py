"""ticket_attachments.storage_key: files of inbound e-mail live in the file store, as chat files do.
The rows written before keep their bytes in `data` and are served from it; a row whose file is in the
store has an empty `data` (the column stays as it was: a rolling upgrade only adds).

A node of the previous release still writes `data` (served as before); a file a new node stored is
served only by new nodes (an older node serves it empty).

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ticket_attachments", sa.Column("storage_key", sa.String(100), nullable=True))


def downgrade() -> None:
    # Rows whose bytes are in the store have none here: they go (their files stay in the store).
    op.execute("DELETE FROM ticket_attachments WHERE storage_key IS NOT NULL")
    with op.batch_alter_table("ticket_attachments", schema=None) as batch_op:
        batch_op.drop_column("storage_key")
