"""An appeal of a concluded case (复查, then 复核): the complainant's reasons, the clock, and
the reviewing office's answer (domain.appeals)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import telegram_id, when


class CaseAppeal(SQLModel, table=True):
    __tablename__ = "case_appeal"
    __table_args__ = (UniqueConstraint("case_id", "level"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    level: str = Field(max_length=16, description="review (复查) | recheck (复核)")
    reasons: str = Field(max_length=1000)
    requested_at: datetime = when(default_now=True)
    answer_due: date
    reviewer_role: str = Field(max_length=16, description="bureau | investigator")
    outcome: str | None = Field(default=None, max_length=16, description="upheld | changed")
    answer: str = Field(default="", max_length=2000)
    answered_at: datetime | None = when(nullable=True)
    answered_by: int | None = telegram_id()
    # 督办: when the overdue answer was escalated to the bureau, once.
    escalated_at: datetime | None = when(nullable=True)
