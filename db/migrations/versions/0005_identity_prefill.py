"""identity sign-in, consents, form progress and application drafts

Revision ID: 0005_identity
Revises: 0002_staff
Create Date: 2026-11-22 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_identity"
down_revision = "0002_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "citizens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizens")),
        sa.UniqueConstraint("subject", name=op.f("uq_citizens_subject")),
        sa.UniqueConstraint("username", name=op.f("uq_citizens_username")),
    )
    op.create_table(
        "citizen_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_sessions")),
    )
    op.create_index(op.f("ix_citizen_sessions_subject"), "citizen_sessions", ["subject"])
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("form_code", sa.String(length=32), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(op.f("ix_consents_subject"), "consents", ["subject"])
    op.create_table(
        "form_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("form_code", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("current", sa.String(length=64), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_progress")),
        sa.UniqueConstraint("subject", "form_code", name=op.f("uq_form_progress_subject")),
    )
    op.create_index(op.f("ix_form_progress_subject"), "form_progress", ["subject"])
    op.create_table(
        "application_drafts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("form_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_drafts")),
    )
    op.create_index(op.f("ix_application_drafts_subject"), "application_drafts", ["subject"])


def downgrade() -> None:
    op.drop_index(op.f("ix_application_drafts_subject"), table_name="application_drafts")
    op.drop_table("application_drafts")
    op.drop_index(op.f("ix_form_progress_subject"), table_name="form_progress")
    op.drop_table("form_progress")
    op.drop_index(op.f("ix_consents_subject"), table_name="consents")
    op.drop_table("consents")
    op.drop_index(op.f("ix_citizen_sessions_subject"), table_name="citizen_sessions")
    op.drop_table("citizen_sessions")
    op.drop_table("citizens")
