"""The city's inspection of the units (the seeds' second plan): the plan of a cycle with its
leading group, office and inspection groups, the units each group inspects, the checklist, the
staff verification sessions, the findings, the units' self-checks and vouchers, and the
roster's own history that 人员增减变动 is checked against."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import telegram_id, when


class InspectionPlan(SQLModel, table=True):
    """One cycle's inspection: its window (default 19–27 December, due the 26th)."""

    __tablename__ = "inspection_plan"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", unique=True)
    starts_on: date
    due_on: date
    created_at: datetime = when(default_now=True)


class InspectionGroup(SQLModel, table=True):
    """An inspection group (考核组) of a plan, numbered from 1 (第一组, 第二组, ...)."""

    __tablename__ = "inspection_group"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="inspection_plan.id", index=True)
    number: int = Field(ge=1)


class InspectionMember(SQLModel, table=True):
    """A person of the plan: of the leading group (领导小组), its office (办公室) or a group.

    ``position`` is leader (组长 / 主任), deputy (副组长) or member (成员); an inspector who
    redeems their invitation is bound to this row through ``official_id``."""

    __tablename__ = "inspection_member"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="inspection_plan.id", index=True)
    body: str = Field(max_length=8, description="leading | office | group")
    group_id: int | None = Field(default=None, foreign_key="inspection_group.id", index=True)
    position: str = Field(default="member", max_length=8, description="leader | deputy | member")
    name: str = Field(max_length=64)
    post: str = Field(default="", max_length=120)
    department: str = Field(default="other", max_length=16, description="人社 纪检 财政 审计 其他")
    official_id: int | None = Field(default=None, foreign_key="official.id", index=True)


class InspectionAssignment(SQLModel, table=True):
    """A unit inspected by one group: every unit in exactly one group of the plan."""

    __tablename__ = "inspection_assignment"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="inspection_plan.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    group_id: int = Field(foreign_key="inspection_group.id", index=True)
    # When the group published its checklist results to the unit (the unit sees them then).
    published_at: datetime | None = when(nullable=True)


class InspectionCheck(SQLModel, table=True):
    """One checklist item (三) of one unit: the methods used (四), the result, note and files."""

    __tablename__ = "inspection_check"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="inspection_plan.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    item: str = Field(max_length=16)
    methods: list[str] = Field(default_factory=list, sa_type=JSON)
    result: str = Field(default="", max_length=8, description="ok | problem, empty: not yet")
    note: str = Field(default="", max_length=1000)
    files: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    checked_by: int | None = Field(default=None, foreign_key="official.id")
    checked_at: datetime | None = when(nullable=True)


class WorkerChange(SQLModel, table=True):
    """The roster's own history: a worker joined a unit or left it, on which day, and why."""

    __tablename__ = "worker_change"
    # One index for the one question asked by unit (a unit's changes over a year, by day), where
    # two single-column ones cost every import twice the upkeep.
    __table_args__ = (Index("ix_worker_change_unit_day", "unit_id", "on_day"),)

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    change: str = Field(max_length=8, description="joined | left")
    on_day: date
    reason: str = Field(max_length=64)
    recorded_at: datetime = when(default_now=True)


class VerificationSession(SQLModel, table=True):
    """Where and when a unit's workers come to be verified (五.4), set by its group."""

    __tablename__ = "verification_session"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="inspection_plan.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    place: str = Field(max_length=200)
    starts_at: datetime = when()
    set_by: int | None = telegram_id()
    set_at: datetime = when(default_now=True)


class InspectionFinding(SQLModel, table=True):
    """An inspector's finding about a unit or one of its workers (五, 七(五)), with evidence;
    it acts once the group leader confirms it."""

    __tablename__ = "inspection_finding"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="inspection_plan.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    worker_id: int | None = Field(default=None, foreign_key="worker.id")
    kind: str = Field(max_length=16, description="wrong_person | absent | fraud | other")
    description: str = Field(max_length=1000)
    # 七(五): a fraud finding names the person responsible (name and post).
    responsible_person: str = Field(default="", max_length=128)
    evidence: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    consequences: list[str] = Field(default_factory=list, sa_type=JSON)
    state: str = Field(default="recorded", max_length=16, description="recorded|confirmed|dropped")
    recorded_by: int | None = telegram_id()
    recorded_at: datetime = when(default_now=True)
    decided_by: int | None = telegram_id()
    decided_at: datetime | None = when(nullable=True)


class InspectionSelfCheck(SQLModel, table=True):
    """A unit's self-check (五.1), led by its head: per checklist item what the unit found and
    what it corrected, with files; it goes to the unit's inspection group."""

    __tablename__ = "inspection_self_check"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="inspection_plan.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    head_name: str = Field(max_length=64, description="单位一把手")
    done_by_name: str = Field(max_length=64, description="the person who did it")
    items: dict[str, dict[str, str]] = Field(default_factory=dict, sa_type=JSON)
    files: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    submitted_by: int | None = telegram_id()
    submitted_at: datetime = when(default_now=True)


class VoucherMonth(SQLModel, table=True):
    """One month of a unit's social-insurance payment vouchers for the year (五.3, 五.5): the
    paper received, the electronic file, and the inspector's tick after 账目查看."""

    __tablename__ = "voucher_month"
    __table_args__ = (UniqueConstraint("cycle_id", "unit_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    month: int = Field(ge=1, le=12)
    paper: bool = False
    file: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    checked: bool = False
    updated_by: int | None = telegram_id()
    updated_at: datetime = when(default_now=True)
