"""desk: how a complaint reached the hotline (its channel), the complaints the desk logged from
calls, letters and visits, and a worker's objection (申辩) as a procedure of its own

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-04 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.models.base import UTCDateTime

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "channel",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="chat",
            )
        )
    # A caller the desk logged has a name and a phone, and no Telegram account.
    with op.batch_alter_table("complainant_contact", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.BigInteger(), nullable=True)
    op.create_table(
        "desk_intake",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("logged_by", sa.BigInteger(), nullable=True),
        sa.Column("logged_role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("logged_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"]),
        sa.PrimaryKeyConstraint("complaint_id"),
    )
    op.create_table(
        "objection",
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("grade_then", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("renew_then", sa.Boolean(), nullable=False),
        sa.Column("statement", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("statement_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("grade_after", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("renew_after", sa.Boolean(), nullable=True),
        sa.Column("reasons", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"]),
        sa.ForeignKeyConstraint(["result_id"], ["result.id"]),
        sa.PrimaryKeyConstraint("complaint_id"),
    )
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objection_case_id"), ["case_id"], unique=True)
    # The objections filed before: about the grade, as they stood, handled from now on as
    # objections (a decided one keeps its old finding in its history).
    op.execute(
        """
        INSERT INTO objection (complaint_id, case_id, result_id, subject, grade_then,
                               renew_then, statement, decision, grade_after, reasons)
        SELECT complaint.id, case_file.id, result.id, 'grade', COALESCE(result.grade, ''),
               COALESCE(result.renew, FALSE), '', '', '', ''
        FROM complaint
        JOIN case_file ON case_file.complaint_id = complaint.id
        LEFT JOIN result ON result.worker_id = complaint.worker_id
                        AND result.cycle_id = complaint.cycle_id
        WHERE complaint.kind = 'objection'
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objection_case_id"))
    op.drop_table("objection")
    op.drop_table("desk_intake")
    with op.batch_alter_table("complainant_contact", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.BigInteger(), nullable=False)
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_column("channel")
