"""inspection: the city's inspection plan (groups, members, units' groups), its checklist,
staff verification sessions, findings, units' self-checks and vouchers, and the roster's own
history; a verification's excuse and papers seen

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.models.base import UTCDateTime

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspection_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycle.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cycle_id"),
    )
    op.create_table(
        "voucher_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("paper", sa.Boolean(), nullable=False),
        sa.Column("file", sa.JSON(), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycle.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cycle_id", "unit_id", "month"),
    )
    with op.batch_alter_table("voucher_month", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voucher_month_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "inspection_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("checked_by", sa.Integer(), nullable=True),
        sa.Column("checked_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["checked_by"],
            ["official.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "unit_id", "item"),
    )
    with op.batch_alter_table("inspection_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_check_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "inspection_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column(
            "responsible_person", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False
        ),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("consequences", sa.JSON(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("recorded_by", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspection_finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_finding_plan_id"), ["plan_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_finding_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "inspection_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "number"),
    )
    with op.batch_alter_table("inspection_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_group_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "inspection_self_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("head_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("done_by_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("submitted_by", sa.BigInteger(), nullable=True),
        sa.Column("submitted_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "unit_id"),
    )
    with op.batch_alter_table("inspection_self_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_self_check_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "verification_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.BigInteger(), nullable=True),
        sa.Column("set_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "unit_id"),
    )
    with op.batch_alter_table("verification_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_session_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "worker_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("change", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("worker_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_change_on_day"), ["on_day"], unique=False)
        batch_op.create_index(batch_op.f("ix_worker_change_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_worker_change_worker_id"), ["worker_id"], unique=False)

    op.create_table(
        "inspection_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["inspection_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "unit_id"),
    )
    with op.batch_alter_table("inspection_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_assignment_group_id"), ["group_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_assignment_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "inspection_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("position", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("post", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["inspection_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["official.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspection_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_member_group_id"), ["group_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_member_official_id"), ["official_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inspection_member_plan_id"), ["plan_id"], unique=False)

    with op.batch_alter_table("verification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "excuse",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("papers_seen", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("verification", schema=None) as batch_op:
        batch_op.drop_column("papers_seen")
        batch_op.drop_column("excuse")

    with op.batch_alter_table("inspection_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_member_plan_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_member_official_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_member_group_id"))

    op.drop_table("inspection_member")
    with op.batch_alter_table("inspection_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_assignment_unit_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_assignment_group_id"))

    op.drop_table("inspection_assignment")
    with op.batch_alter_table("worker_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_change_worker_id"))
        batch_op.drop_index(batch_op.f("ix_worker_change_unit_id"))
        batch_op.drop_index(batch_op.f("ix_worker_change_on_day"))

    op.drop_table("worker_change")
    with op.batch_alter_table("verification_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_session_unit_id"))

    op.drop_table("verification_session")
    with op.batch_alter_table("inspection_self_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_self_check_unit_id"))

    op.drop_table("inspection_self_check")
    with op.batch_alter_table("inspection_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_group_plan_id"))

    op.drop_table("inspection_group")
    with op.batch_alter_table("inspection_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_finding_unit_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_finding_plan_id"))

    op.drop_table("inspection_finding")
    with op.batch_alter_table("inspection_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_check_unit_id"))

    op.drop_table("inspection_check")
    with op.batch_alter_table("voucher_month", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voucher_month_unit_id"))

    op.drop_table("voucher_month")
    op.drop_table("inspection_plan")
