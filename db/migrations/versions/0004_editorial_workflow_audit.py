"""editorial: workflow state, audit log, shared knowledge version, source records; guide_versions.author

Revision ID: 0004_editorial
Revises: 0002_staff
Create Date: 2026-11-22 08:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_editorial"
down_revision = "0002_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guide_editorial",
        sa.Column("guide_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("working_version", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["guide_id"], ["guides.id"], name=op.f("fk_guide_editorial_guide_id_guides"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("guide_id", name=op.f("pk_guide_editorial")),
    )
    op.create_index(op.f("ix_guide_editorial_status"), "guide_editorial", ["status"], unique=False)
    op.create_table(
        "editor_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("guide_code", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editor_audit")),
    )
    op.create_index(op.f("ix_editor_audit_at"), "editor_audit", ["at"], unique=False)
    op.create_index(op.f("ix_editor_audit_guide_code"), "editor_audit", ["guide_code"], unique=False)
    op.create_table(
        "knowledge_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("build_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_state")),
    )
    op.create_table(
        "source_records",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_source_records")),
    )
    with op.batch_alter_table("guide_versions") as batch:
        batch.add_column(sa.Column("author", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guide_versions") as batch:
        batch.drop_column("author")
    op.drop_table("source_records")
    op.drop_table("knowledge_state")
    op.drop_index(op.f("ix_editor_audit_guide_code"), table_name="editor_audit")
    op.drop_index(op.f("ix_editor_audit_at"), table_name="editor_audit")
    op.drop_table("editor_audit")
    op.drop_index(op.f("ix_guide_editorial_status"), table_name="guide_editorial")
    op.drop_table("guide_editorial")
