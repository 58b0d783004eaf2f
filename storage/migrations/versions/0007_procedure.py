"""procedure: the assessment's steps per unit and cycle, the basis of each grade, and the own
notice period of a result published while the 公示 ran

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models.base

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "result_basis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        *(
            sa.Column(part, _text(100), nullable=False)
            for part in ("de", "neng", "qin", "ji", "lian", "overall", "fail_ground")
        ),
        sa.Column("updated_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["worker.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cycle_id", "worker_id"),
    )
    with op.batch_alter_table("result_basis", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_result_basis_worker_id"), ["worker_id"], unique=False)

    op.create_table(
        "procedure_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("step", _text(16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("workers", sa.JSON(), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("reason", _text(500), nullable=False),
        sa.Column("minutes_file_id", _text(255), nullable=False),
        sa.Column("minutes_name", _text(255), nullable=False),
        sa.Column("recorded_by", _text(64), nullable=False),
        sa.Column("recorded_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cycle_id", "unit_id", "step"),
    )
    with op.batch_alter_table("procedure_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedure_step_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "late_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("created_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["worker.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cycle_id", "worker_id"),
    )
    with op.batch_alter_table("late_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_late_notice_worker_id"), ["worker_id"], unique=False)


def downgrade() -> None:
    op.drop_table("late_notice")
    op.drop_table("procedure_step")
    op.drop_table("result_basis")
