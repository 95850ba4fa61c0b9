"""visitors.spam_marked_at, visitors.spam_marked_by: the visitor's spam mark (who set it, when)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visitors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spam_marked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("spam_marked_by", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key("fk_visitors_spam_marked_by_agents", "agents", ["spam_marked_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("visitors", schema=None) as batch_op:
        batch_op.drop_constraint("fk_visitors_spam_marked_by_agents", type_="foreignkey")
        batch_op.drop_column("spam_marked_by")
        batch_op.drop_column("spam_marked_at")
