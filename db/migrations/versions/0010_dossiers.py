"""dossiers: submitted applications, their status history and the notification outbox (issue 16)

Revision ID: 0010_dossiers
Revises: 5f7060ce573b
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_dossiers"
down_revision = "5f7060ce573b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("form_code", sa.String(length=32), nullable=False),
        sa.Column("procedure", sa.String(length=64), nullable=False),
        sa.Column("draft_id", sa.String(length=32), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column("expected_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("code", name=op.f("uq_dossiers_code")),
        sa.UniqueConstraint("draft_id", name=op.f("uq_dossiers_draft_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_dossiers_idempotency_key")),
    )
    op.create_index(op.f("ix_dossiers_subject"), "dossiers", ["subject"])
    op.create_table(
        "dossier_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_dossier_events_dossier_id_dossiers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_events")),
    )
    op.create_index(op.f("ix_dossier_events_dossier_id"), "dossier_events", ["dossier_id"])
    op.create_table(
        "dossier_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_dossier_outbox_dossier_id_dossiers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_outbox")),
    )
    op.create_index(op.f("ix_dossier_outbox_dossier_id"), "dossier_outbox", ["dossier_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dossier_outbox_dossier_id"), table_name="dossier_outbox")
    op.drop_table("dossier_outbox")
    op.drop_index(op.f("ix_dossier_events_dossier_id"), table_name="dossier_events")
    op.drop_table("dossier_events")
    op.drop_index(op.f("ix_dossiers_subject"), table_name="dossiers")
    op.drop_table("dossiers")
