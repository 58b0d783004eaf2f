"""case appeals: 复查 and 复核 of a concluded case, with their clocks and answers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-22 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.models.base import UTCDateTime

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reasons", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("answer_due", sa.Date(), nullable=False),
        sa.Column("reviewer_role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("answered_by", sa.BigInteger(), nullable=True),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "level"),
    )
    with op.batch_alter_table("case_appeal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_appeal_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_appeal_case_id"))
    op.drop_table("case_appeal")
