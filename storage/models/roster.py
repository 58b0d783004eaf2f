"""Units, posts, workers, assessment cycles and their results, imports and verification."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import json_field, telegram_id, when


class Unit(SQLModel, table=True):
    """An employing unit (用人单位)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True, index=True)
    quota: int = Field(default=0, ge=0, description="posts the unit may fill (公益性岗位指标)")
    quota_cut: int = Field(default=0, ge=0, description="posts removed after a finding")
    phone: str | None = Field(default=None, max_length=32, description="the unit's contact phone")
    department: str | None = Field(default=None, max_length=120, description="主管部门")
    created_at: datetime = when(default_now=True)


class Worker(SQLModel, table=True):
    """A person on the roster. ID number and phone are kept only as keyed hash and last 4."""

    id: int | None = Field(default=None, primary_key=True)
    # No index on the name: it is searched by the characters a masked name shows (LIKE
    # '%x%'), which no index serves, and sorted within a unit; an index only slowed imports.
    name: str = Field(max_length=64)
    id_hash: str = Field(max_length=64, unique=True, index=True)
    id_last4: str = Field(max_length=4)
    phone_hash: str | None = Field(default=None, max_length=64, index=True)
    phone_last4: str | None = Field(default=None, max_length=4)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    status: str = Field(default="on_duty", max_length=16, description="on_duty | removed")
    removed_reason: str | None = Field(default=None, max_length=64)
    # 人员招录 (domain.recruitment), from the roster; None where the roster never said.
    recruited_by: str | None = Field(default=None, max_length=16, description="招录方式")
    hardship: str | None = Field(default=None, max_length=24, description="就业困难人员类别")
    eligible: bool | None = None
    created_at: datetime = when(default_now=True)
    updated_at: datetime = when(default_now=True)


class Post(SQLModel, table=True):
    """A public-welfare post of a unit; vacant when no worker holds it."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    title: str = Field(max_length=64)
    worker_id: int | None = Field(default=None, foreign_key="worker.id", unique=True)
    created_at: datetime = when(default_now=True)


class Cycle(SQLModel, table=True):
    """An assessment year and its 公示 window."""

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True, index=True)
    state: str = Field(default="assessing", max_length=16, description="assessing|open|closed")
    gongshi_opens_on: date | None = None
    gongshi_closes_on: date | None = None
    opened_at: datetime | None = when(nullable=True)
    closed_at: datetime | None = when(nullable=True)
    settings: dict[str, object] = json_field()
    created_at: datetime = when(default_now=True)


class Result(SQLModel, table=True):
    """A worker's grade and renewal decision in one cycle."""

    __table_args__ = (UniqueConstraint("cycle_id", "worker_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the unique (cycle_id, worker_id) index serves lookups by cycle.
    cycle_id: int = Field(foreign_key="cycle.id")
    worker_id: int = Field(foreign_key="worker.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    post_title: str = Field(max_length=64)
    grade: str = Field(max_length=8, description="合格 | 基本合格 | 不合格")
    renew: bool
    remark: str = Field(default="", max_length=500)
    status: str = Field(default="pending", max_length=16, description="pending|final|held")
    renewal_blocked: bool = False
    subsidy_stopped: bool = False
    findings: list[str] = Field(default_factory=list, sa_type=JSON)
    import_batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    updated_at: datetime = when(default_now=True)


class ImportBatch(SQLModel, table=True):
    """One imported spreadsheet: who, when, what, and how many rows changed."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, description="results | roster")
    file_name: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64, index=True)
    cycle_id: int | None = Field(default=None, foreign_key="cycle.id")
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    imported_by: str = Field(default="cli", max_length=64)
    imported_at: datetime = when(default_now=True)


class ImportJob(SQLModel, table=True):
    """A spreadsheet sent in chat, imported in the background so the chat is not held up:
    downloading and checking a county's file takes longer than an update may."""

    __tablename__ = "import_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="results", max_length=16)
    cycle_year: int
    # A unit contact's upload may hold only their unit's rows; None for an administrator.
    only_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    chat_id: int = telegram_id(nullable=False)
    user_id: int = telegram_id(nullable=False)
    language: str = Field(default="zh", max_length=8)
    file_id: str = Field(max_length=255)
    file_name: str = Field(max_length=255)
    state: str = Field(default="pending", max_length=16, index=True, description="pending|done")
    attempts: int = 0
    claimed_until: datetime | None = when(nullable=True)
    outcome: str = Field(default="", max_length=16, description="imported|refused|failed")
    batch_id: int | None = Field(default=None, foreign_key="import_batch.id")
    created_at: datetime = when(default_now=True)
    finished_at: datetime | None = when(nullable=True)


class Verification(SQLModel, table=True):
    """Staff verification in person (人员核对): absentees are treated as vacant posts."""

    __table_args__ = (UniqueConstraint("cycle_id", "worker_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    present: bool
    # Absent with a reason the group accepted (请假): not struck off.
    excuse: str = Field(default="", max_length=200)
    # ID card and household register (户口本) seen, as 五.4 asks.
    papers_seen: bool = False
    recorded_by: int | None = Field(default=None, foreign_key="official.id")
    recorded_by_user: int | None = telegram_id()
    source: str = Field(default="chat", max_length=16, description="chat | sheet")
    # The post an absentee left vacant, so a mistaken "absent" can be put right.
    vacated_post_id: int | None = Field(default=None, foreign_key="post.id")
    recorded_at: datetime = when(default_now=True)
