"""chat pause: a chat Telegram asked us to leave alone, shared by every sender

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-20 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_pause",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("not_before", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    with op.batch_alter_table("chat_pause", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_pause_not_before"), ["not_before"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chat_pause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_pause_not_before"))
    op.drop_table("chat_pause")
