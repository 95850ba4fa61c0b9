"""index visitors by (site_id, number): a new visitor's number without scanning the site's visitors

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_visitors_site_number", "visitors", ["site_id", "number"])


def downgrade() -> None:
    op.drop_index("ix_visitors_site_number", table_name="visitors")
