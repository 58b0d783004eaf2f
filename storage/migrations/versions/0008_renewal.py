"""renewal paperwork: each worker's agreement signed or the written reason it is not, and unit
tasks that name a worker

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-22 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models.base

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "renewal_paper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("term_starts_on", sa.Date(), nullable=True),
        sa.Column("term_ends_on", sa.Date(), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("recorded_at", storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["worker.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cycle_id", "worker_id"),
    )
    with op.batch_alter_table("renewal_paper", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_renewal_paper_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_renewal_paper_worker_id"), ["worker_id"], unique=False
        )
    with op.batch_alter_table("unit_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_unit_task_worker_id"), ["worker_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_unit_task_worker_id_worker", "worker", ["worker_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("unit_task", schema=None) as batch_op:
        batch_op.drop_constraint("fk_unit_task_worker_id_worker", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_unit_task_worker_id"))
        batch_op.drop_column("worker_id")
    with op.batch_alter_table("renewal_paper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renewal_paper_worker_id"))
        batch_op.drop_index(batch_op.f("ix_renewal_paper_unit_id"))
    op.drop_table("renewal_paper")
