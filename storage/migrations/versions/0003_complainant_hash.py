"""complainants counted by a keyed hash, not by their Telegram id

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-02 10:00:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Complaints filed before this have no hash (it needs the secret key, which a migration
    # does not read): they no longer count towards the daily limit or the distinct count.
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("complainant_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_complaint_complainant_hash"), ["complainant_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_complainant_hash"))
        batch_op.drop_column("complainant_hash")
