"""The renewal paperwork of each worker once the 公示 closes: the agreement signed, or the
written reason it is not (六(一)(二)). The unit's tasks that follow a non-renewal are unit
tasks with the worker named (``UnitTask.worker_id``), reminded and escalated like the others."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import telegram_id, when


class RenewalPaper(SQLModel, table=True):
    """What the unit recorded for one worker in one cycle; one row per worker and cycle."""

    __tablename__ = "renewal_paper"
    __table_args__ = (UniqueConstraint("cycle_id", "worker_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the unique (cycle_id, worker_id) index serves lookups by cycle.
    cycle_id: int = Field(foreign_key="cycle.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    outcome: str = Field(max_length=16, description="renewed | not_renewed")
    # A renewed agreement: its one-year term, the worker's consent, the post's conditions met.
    term_starts_on: date | None = None
    term_ends_on: date | None = None
    consent: bool = False
    eligible: bool = False
    # A non-renewal: the written reason reported to the bureau; emptied by the retention purge
    # (storage.purge), after which it is shown as deleted (domain.renewal.reason_deleted).
    reason: str = Field(default="", max_length=500)
    recorded_at: datetime = when(default_now=True)
    recorded_by: int | None = telegram_id()
