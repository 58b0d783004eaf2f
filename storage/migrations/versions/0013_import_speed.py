"""import speed: the roster history's unit and day indexes made one, no index on worker names

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 05:20:00.000000

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_name"))
    with op.batch_alter_table("worker_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_change_unit_id"))
        batch_op.drop_index(batch_op.f("ix_worker_change_on_day"))
        batch_op.create_index("ix_worker_change_unit_day", ["unit_id", "on_day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("worker_change", schema=None) as batch_op:
        batch_op.drop_index("ix_worker_change_unit_day")
        batch_op.create_index(batch_op.f("ix_worker_change_on_day"), ["on_day"], unique=False)
        batch_op.create_index(batch_op.f("ix_worker_change_unit_id"), ["unit_id"], unique=False)
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_name"), ["name"], unique=False)
