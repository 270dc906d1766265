"""conversations.bot_paused: a pause sent to Rasa stays recorded until a resume is confirmed

Revision ID: 0008_bot_paused
Revises: 0006_conversation_owner
Create Date: 2026-12-02 06:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_bot_paused"
down_revision = "0006_conversation_owner"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("bot_paused", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("bot_paused")
