"""visitor tracking: visits, page views and what the site tells about a visitor

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("visitor_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("landing_url", sa.Text(), nullable=False),
        sa.Column("referrer", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("utm_medium", sa.String(length=100), nullable=False),
        sa.Column("utm_campaign", sa.String(length=100), nullable=False),
        sa.Column("device_class", sa.String(length=10), nullable=False),
        sa.Column("os", sa.String(length=64), nullable=False),
        sa.Column("browser", sa.String(length=64), nullable=False),
        sa.Column("pages_viewed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.ForeignKeyConstraint(["visitor_id"], ["visitors.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index("ix_visits_visitor_started", ["visitor_id", "started_at"], unique=False)

    op.create_table(
        "page_views",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("visitor_id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"]),
        sa.ForeignKeyConstraint(["visitor_id"], ["visitors.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("page_views", schema=None) as batch_op:
        batch_op.create_index("ix_page_views_visit", ["visit_id", "id"], unique=False)
        batch_op.create_index("ix_page_views_viewed_at", ["viewed_at"], unique=False)

    with op.batch_alter_table("visitors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("phone", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("external_id", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("custom_data", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("cart", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("visit_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("first_visit_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("current_visit_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visitors", schema=None) as batch_op:
        for column in (
            "current_visit_id",
            "first_visit_at",
            "visit_count",
            "time_zone",
            "language",
            "cart",
            "custom_data",
            "tags",
            "external_id",
            "phone",
            "email",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("page_views", schema=None) as batch_op:
        batch_op.drop_index("ix_page_views_viewed_at")
        batch_op.drop_index("ix_page_views_visit")
    op.drop_table("page_views")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_visitor_started")
    op.drop_table("visits")
