"""single-use tickets for the agent's live socket (the WebSocket URL no longer carries the staff token)

Revision ID: 0007_socket_tickets
Revises: 0003_handoff
Create Date: 2026-12-01 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_socket_tickets"
down_revision = "0003_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "socket_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["staff_users.id"], name=op.f("fk_socket_tickets_staff_user_id_staff_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_socket_tickets_ticket_id_tickets"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_socket_tickets")),
        sa.UniqueConstraint("digest", name=op.f("uq_socket_tickets_digest")),
    )
    op.create_index(op.f("ix_socket_tickets_expires_at"), "socket_tickets", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_socket_tickets_expires_at"), table_name="socket_tickets")
    op.drop_table("socket_tickets")
