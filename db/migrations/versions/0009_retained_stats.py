"""retained_stats: anonymous daily counts kept when the retention purge deletes conversations and callbacks

Revision ID: 0009_retained_stats
Revises: 5f7060ce573b
Create Date: 2026-12-02 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_retained_stats"
down_revision = "5f7060ce573b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retained_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("procedure", sa.String(length=64), nullable=True),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retained_stats")),
    )
    op.create_index("ix_retained_stats_metric_day", "retained_stats", ["metric", "day"])


def downgrade() -> None:
    op.drop_index("ix_retained_stats_metric_day", table_name="retained_stats")
    op.drop_table("retained_stats")
