"""The assessment's procedure per unit and cycle (五(一)–(四)), the basis of each grade (三),
and the notice period of a result published while the 公示 was already running."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import when


class ResultBasis(SQLModel, table=True):
    """三: the six parts of a worker's grade and the ground of a 不合格, as the results sheet
    gave them. Shown to the worker in their own view only, never in anything public."""

    __tablename__ = "result_basis"
    __table_args__ = (UniqueConstraint("cycle_id", "worker_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id")
    worker_id: int = Field(foreign_key="worker.id", index=True)
    de: str = Field(default="", max_length=100)
    neng: str = Field(default="", max_length=100)
    qin: str = Field(default="", max_length=100)
    ji: str = Field(default="", max_length=100)
    lian: str = Field(default="", max_length=100)
    overall: str = Field(default="", max_length=100)
    fail_ground: str = Field(default="", max_length=100)
    updated_at: datetime = when(default_now=True)


class ProcedureStep(SQLModel, table=True):
    """One step of 五(一)–(四) as a unit recorded it for a cycle; recording it again replaces it.

    ``workers``: the worker ids who reported (个人述职) or were interviewed (谈话考核);
    ``people``: names by kind, for 民主测评 (leader, section_head, served, other) and 集体研究
    (attendee); ``reason``: why 民主测评 took other than 2 to 4 people served."""

    __tablename__ = "procedure_step"
    __table_args__ = (UniqueConstraint("cycle_id", "unit_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    step: str = Field(max_length=16, description="report|interview|evaluation|meeting")
    held_on: date | None = None
    workers: list[int] = Field(default_factory=list, sa_type=JSON)
    people: dict[str, list[str]] = Field(default_factory=dict, sa_type=JSON)
    reason: str = Field(default="", max_length=500)
    minutes_file_id: str = Field(default="", max_length=255)
    minutes_name: str = Field(default="", max_length=255)
    recorded_by: str = Field(default="", max_length=64)
    recorded_at: datetime = when(default_now=True)


class LateNotice(SQLModel, table=True):
    """A result added or changed while the 公示 ran: its own notice period, a full minimum
    length from the day it was published."""

    __tablename__ = "late_notice"
    __table_args__ = (UniqueConstraint("cycle_id", "worker_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id")
    worker_id: int = Field(foreign_key="worker.id", index=True)
    opens_on: date
    closes_on: date
    created_at: datetime = when(default_now=True)
