"""Synthetic demo data the size of the seed's city: 26 units, 2,683 posts, 2,349 workers on duty.

Two halves. ``build_demo_plan(seed)`` (storage.demo_plan) is a pure function that decides every
unit, post, person and result from the seed alone, so other code (the chat demo) can learn a
demo worker's clear ID number and phone to bind with. ``load_demo_data`` writes a plan into the
database, keeping ID numbers and phones only as keyed hashes and last four characters, exactly
as an import does.

The ID numbers carry valid check digits but are made up. Real people hold numbers made the same
way, so demo data must never be published as if it were real.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Delete, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel, col

from storage.db import transaction
from storage.demo_inspection import (
    INSPECTION_TABLES,
    write_demo_inspection,
    write_demo_newcomers,
)
from storage.demo_plan import (
    CHINA,
    DEFAULT_SEED,
    GRADES,
    POST_TITLES,
    TOTAL_POSTS,
    WORKERS_ON_DUTY,
    DemoPerson,
    DemoPlan,
    DemoPost,
    DemoResult,
    DemoUnit,
    build_demo_plan,
    demo_identity,
    demo_plan,
)
from storage.demo_procedure import write_demo_procedure
from storage.identity import keyed_hash
from storage.models import (
    Case,
    CaseAppeal,
    CaseDocument,
    CaseEvent,
    ChannelPost,
    ComplainantContact,
    Complaint,
    Cycle,
    DeskIntake,
    EvidenceFile,
    ImportBatch,
    ImportJob,
    Invitation,
    LateNotice,
    Objection,
    Official,
    Post,
    ProcedureStep,
    Reminder,
    RenewalPaper,
    Result,
    ResultBasis,
    RoleBinding,
    Unit,
    UnitTask,
    Verification,
    Worker,
    WorkerCode,
    utcnow,
)

# The plan lives in storage.demo_plan; callers have always found it here.
__all__ = [
    "DEFAULT_SEED",
    "POST_TITLES",
    "TOTAL_POSTS",
    "WORKERS_ON_DUTY",
    "DemoDataExists",
    "DemoPerson",
    "DemoPlan",
    "DemoPost",
    "DemoResult",
    "DemoSummary",
    "DemoUnit",
    "ProgressCallback",
    "build_demo_plan",
    "demo_identity",
    "demo_plan",
    "load_demo_data",
    "purge_roster",
    "purge_statements",
    "summarize",
]


# Writing it ------------------------------------------------------------------------------------

ProgressCallback = Callable[[str, int, int], None]
"""Told after each batch: the stage ("units", "workers", "posts", "results"), the rows written
so far and the rows to write in all."""

_BATCH = 1000


class DemoDataExists(RuntimeError):
    """The database already holds a roster; the demo replaces one only when asked to."""

    def __init__(self, units: int, cycles: int) -> None:
        self.units = units
        self.cycles = cycles
        super().__init__(
            f"the database already holds {units} units and {cycles} assessment cycles; "
            "pass replace=True to delete them and load the demo data"
        )


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    year: int
    units: int
    posts: int
    workers: int
    vacant: int
    results: dict[int, dict[str, int]]
    """Per cycle year, the number of results of each grade (合格, 基本合格, 不合格)."""
    renewals: dict[int, int]
    two_fails: int
    """Workers graded 不合格 in both cycles: their labour contracts are to be terminated."""


async def load_demo_data(
    *,
    sessions: async_sessionmaker[AsyncSession],
    secret_key: str,
    seed: int = DEFAULT_SEED,
    year: int = 2026,
    replace: bool = False,
    progress: ProgressCallback | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    """Write the demo plan of ``seed`` in one transaction: cycle ``year`` being assessed, and
    ``year - 1`` closed. Raises ``DemoDataExists`` if units or cycles exist, unless ``replace``,
    which first deletes the roster and everything that refers to it (results, cases, tasks)."""
    plan = demo_plan(seed)
    writer = _Writer(plan, secret_key, now or utcnow(), progress)
    async with transaction(sessions) as session:
        units, cycles = await _count_existing(session)
        if (units or cycles) and not replace:
            raise DemoDataExists(units, cycles)
        if replace:
            await purge_roster(session)
        await writer.write(session, year)
    return summarize(plan, year)


def summarize(plan: DemoPlan, year: int) -> DemoSummary:
    results: dict[int, dict[str, int]] = {}
    renewals: dict[int, int] = {}
    for cycle_year, cycle_results in ((year, plan.current), (year - 1, plan.previous)):
        grades = Counter(r.grade.value for r in cycle_results)
        results[cycle_year] = {grade.value: grades[grade.value] for grade in GRADES}
        renewals[cycle_year] = sum(1 for r in cycle_results if r.renew)
    return DemoSummary(
        seed=plan.seed,
        year=year,
        units=len(plan.units),
        posts=len(plan.posts),
        workers=len(plan.people),
        vacant=sum(1 for post in plan.posts if post.holder is None),
        results=results,
        renewals=renewals,
        two_fails=plan.two_fails(),
    )


async def _count_existing(session: AsyncSession) -> tuple[int, int]:
    units = await session.scalar(select(func.count()).select_from(Unit))
    cycles = await session.scalar(select(func.count()).select_from(Cycle))
    return int(units or 0), int(cycles or 0)


def purge_statements() -> list[Delete]:
    """Children before parents. Officials of the bureau and 人社局 stay, with their bindings;
    unit contacts go with their units."""
    unit_officials = select(col(Official.id)).where(col(Official.unit_id).is_not(None))
    bound_to_roster = or_(
        col(RoleBinding.worker_id).is_not(None),
        col(RoleBinding.unit_id).is_not(None),
        col(RoleBinding.official_id).in_(unit_officials),
    )
    invited_to_unit = or_(
        col(Invitation.unit_id).is_not(None), col(Invitation.official_id).in_(unit_officials)
    )
    whole: list[type[SQLModel]] = [
        *INSPECTION_TABLES,
        Reminder, UnitTask, RenewalPaper, CaseAppeal, CaseDocument, CaseEvent, EvidenceFile,
        ComplainantContact, Objection, DeskIntake, Case, Complaint, ChannelPost, Verification,
        LateNotice, ResultBasis, ProcedureStep, Result, ImportJob, ImportBatch, WorkerCode,
    ]  # fmt: skip
    return [
        *(delete(model) for model in whole),
        delete(RoleBinding).where(bound_to_roster),
        delete(Invitation).where(invited_to_unit),
        delete(Official).where(col(Official.unit_id).is_not(None)),
        *(delete(model) for model in (Post, Worker, Cycle, Unit)),
    ]


async def purge_roster(session: AsyncSession) -> None:
    """Delete units, posts, workers, cycles and every row that refers to them."""
    for statement in purge_statements():
        await session.execute(statement.execution_options(synchronize_session=False))


class _Writer:
    """Bulk inserts of one plan, reporting progress as it goes."""

    def __init__(
        self, plan: DemoPlan, secret_key: str, now: datetime, progress: ProgressCallback | None
    ) -> None:
        self.plan = plan
        self.secret_key = secret_key
        self.now = now
        self.progress = progress
        self.written = 0

    async def write(self, session: AsyncSession, year: int) -> None:
        await self._insert(session, "units", Unit, self._unit_rows())
        unit_ids = await _ids_by(session, Unit, Unit.name, [unit.name for unit in self.plan.units])
        id_hashes = [keyed_hash(self.secret_key, "id", p.id_number) for p in self.plan.people]
        await self._insert(session, "workers", Worker, self._worker_rows(unit_ids, id_hashes))
        worker_ids = await _ids_by(session, Worker, Worker.id_hash, id_hashes)
        await self._insert(session, "posts", Post, self._post_rows(unit_ids, worker_ids))
        await self._insert(session, None, Cycle, _cycle_rows(year))
        current_id, previous_id = await _ids_by(session, Cycle, Cycle.year, [year, year - 1])
        for cycle_id, results, status in (
            (current_id, self.plan.current, "pending"),
            (previous_id, self.plan.previous, "final"),
        ):
            rows = self._result_rows(cycle_id, results, status, unit_ids, worker_ids)
            await self._insert(session, "results", Result, rows)
        await write_demo_procedure(session, cycle_id=current_id, year=year, now=self.now)
        current = await session.get(Cycle, current_id)
        if current is not None:
            await write_demo_inspection(session, cycle=current)
            await write_demo_newcomers(session, cycle=current, now=self.now)

    async def _insert(
        self, session: AsyncSession, stage: str | None, model: Any, rows: list[dict[str, Any]]
    ) -> None:
        """Insert ``rows`` in batches, reporting progress under ``stage`` unless it is None."""
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            await session.execute(insert(model), batch)
            if stage is not None:
                self._advance(stage, len(batch))

    def _advance(self, stage: str, rows: int) -> None:
        self.written += rows
        if self.progress is not None:
            self.progress(stage, self.written, self.plan.row_count)

    def _unit_rows(self) -> list[dict[str, Any]]:
        return [
            {"name": unit.name, "quota": unit.posts, "quota_cut": 0, "created_at": self.now}
            for unit in self.plan.units
        ]

    def _worker_rows(
        self, unit_ids: Sequence[int], id_hashes: Sequence[str]
    ) -> list[dict[str, Any]]:
        return [
            {
                "name": person.name,
                "id_hash": id_hash,
                "id_last4": person.id_number[-4:],
                "phone_hash": keyed_hash(self.secret_key, "phone", person.phone),
                "phone_last4": person.phone[-4:],
                "unit_id": unit_ids[person.unit],
                "status": "on_duty",
                "created_at": self.now,
                "updated_at": self.now,
            }
            for person, id_hash in zip(self.plan.people, id_hashes, strict=True)
        ]

    def _post_rows(
        self, unit_ids: Sequence[int], worker_ids: Sequence[int]
    ) -> list[dict[str, Any]]:
        return [
            {
                "unit_id": unit_ids[post.unit],
                "title": post.title,
                "worker_id": None if post.holder is None else worker_ids[post.holder],
                "created_at": self.now,
            }
            for post in self.plan.posts
        ]

    def _result_rows(
        self,
        cycle_id: int,
        results: Sequence[DemoResult],
        status: str,
        unit_ids: Sequence[int],
        worker_ids: Sequence[int],
    ) -> list[dict[str, Any]]:
        people = self.plan.people
        return [
            {
                "cycle_id": cycle_id,
                "worker_id": worker_ids[result.person],
                "unit_id": unit_ids[people[result.person].unit],
                "post_title": people[result.person].post_title,
                "grade": result.grade.value,
                "renew": result.renew,
                "remark": result.remark,
                "status": status,
                "renewal_blocked": False,
                "subsidy_stopped": False,
                "findings": [],
                "updated_at": self.now,
            }
            for result in results
        ]


async def _ids_by(
    session: AsyncSession, model: Any, key: Any, values: Sequence[object]
) -> list[int]:
    """The new ids of the rows whose unique ``key`` has ``values``, in that order.

    Read back rather than taken from RETURNING: SQLite cannot promise RETURNING's order in a
    multi-row insert, and SQLAlchemy then falls back to one statement per row, 20 times slower.
    """
    rows = (await session.execute(select(key, model.id))).all()
    found: dict[object, int] = {value: row_id for value, row_id in rows}
    return [found[value] for value in values]


def _cycle_rows(year: int) -> list[dict[str, Any]]:
    """This year's cycle being assessed, and last year's closed after its 公示."""
    opens, closes = _last_years_gongshi(year - 1)
    current = {"year": year, "state": "assessing", "settings": {}}
    previous = {
        "year": year - 1,
        "state": "closed",
        "settings": {},
        "gongshi_opens_on": opens,
        "gongshi_closes_on": closes,
        "opened_at": datetime.combine(opens, time(9), CHINA).astimezone(UTC),
        "closed_at": datetime.combine(closes, time(18), CHINA).astimezone(UTC),
    }
    # Both rows need the same keys to go in one executemany.
    current |= {key: None for key in previous if key not in current}
    return [current, previous]


def _last_years_gongshi(year: int) -> tuple[date, date]:
    """Results are due on 15 December; 公示 then runs five working days. Late December has no
    public holidays, so counting weekdays is enough here (and needs no calendar for old years)."""
    opens = date(year, 12, 16)
    while opens.weekday() >= 5:
        opens += timedelta(days=1)
    closes, counted = opens, 1
    while counted < 5:
        closes += timedelta(days=1)
        counted += closes.weekday() < 5
    return opens, closes
