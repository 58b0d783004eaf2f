"""A worker's objection (申辩) beside its complaint row, and a complaint the desk logged from a
call, a letter or a visit."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from storage.models.base import telegram_id, when


class Objection(SQLModel, table=True):
    """What a worker objects to, what her unit says, and what the bureau decides."""

    complaint_id: int = Field(foreign_key="complaint.id", primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", unique=True, index=True)
    result_id: int | None = Field(default=None, foreign_key="result.id")
    subject: str = Field(max_length=16, description="grade | renewal")
    # The result as it stood when she objected.
    grade_then: str = Field(max_length=8)
    renew_then: bool
    statement: str = Field(default="", max_length=1000)
    statement_at: datetime | None = when(nullable=True)
    decision: str = Field(default="", max_length=16, description="maintain | regrade | renewal")
    grade_after: str = Field(default="", max_length=8)
    renew_after: bool | None = None
    reasons: str = Field(default="", max_length=1000)
    decided_at: datetime | None = when(nullable=True)


class DeskIntake(SQLModel, table=True):
    """A complaint the desk took by telephone, letter or in person: when it was received and
    who logged it (the caller's contact is the complaint's, kept apart and audited)."""

    __tablename__ = "desk_intake"

    complaint_id: int = Field(foreign_key="complaint.id", primary_key=True)
    received_on: date
    logged_by: int | None = telegram_id()
    logged_role: str = Field(max_length=16, description="bureau | unit")
    logged_at: datetime = when(default_now=True)
