"""What the product already knows about a unit, shown beside each checklist item so the
inspector confirms rather than retypes: quota and posts, the year's joins and leaves,
results, the assessment procedure's record, tasks, verification. Reads only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.procedure import Gap, missing_steps
from storage.models import (
    InspectionFinding,
    Post,
    Result,
    Unit,
    UnitTask,
    Verification,
    VoucherMonth,
    Worker,
)
from storage.procedure import on_duty_workers, step_record, step_rows
from storage.recruitment import Newcomer, newcomers_among
from storage.roster_history import Change, changes_in_year


@dataclass
class UnitFacts:
    quota: int = 0
    quota_cut: int = 0
    posts: int = 0
    filled: int = 0
    on_duty: int = 0
    joined: list[Change] = field(default_factory=list)
    left: list[Change] = field(default_factory=list)
    # 人员招录: the year's newcomers with method and eligibility, those to look at first.
    newcomers: list[Newcomer] = field(default_factory=list)
    results: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    # 五(一)–(四) as the unit recorded them: what is missing (empty: complete).
    procedure_gaps: list[Gap] = field(default_factory=list)
    subsidy_stopped: int = 0
    tasks: int = 0
    tasks_done: int = 0
    tasks_overdue: int = 0
    verified: int = 0
    absent: int = 0
    voucher_files: int = 0
    voucher_paper: int = 0
    voucher_checked: int = 0


async def unit_facts(
    session: AsyncSession, *, unit_id: int, cycle_id: int, year: int, today: date
) -> UnitFacts:
    facts = UnitFacts()
    unit = await session.get(Unit, unit_id)
    if unit is None:
        return facts
    facts.quota, facts.quota_cut = unit.quota, unit.quota_cut
    posts = await session.execute(
        select(func.count(), func.count(col(Post.worker_id))).where(col(Post.unit_id) == unit_id)
    )
    facts.posts, facts.filled = (int(n or 0) for n in posts.one())
    facts.on_duty = int(
        await session.scalar(
            select(func.count())
            .select_from(Worker)
            .where(col(Worker.unit_id) == unit_id, col(Worker.status) == "on_duty")
        )
        or 0
    )
    changes = await changes_in_year(session, unit_id=unit_id, year=year)
    facts.joined = [c for c in changes if c.change == "joined"]
    facts.left = [c for c in changes if c.change == "left"]
    facts.newcomers = await newcomers_among(session, changes)
    results = await session.execute(
        select(col(Result.grade), col(Result.subsidy_stopped)).where(
            col(Result.cycle_id) == cycle_id, col(Result.unit_id) == unit_id
        )
    )
    rows = results.all()
    facts.results = len(rows)
    facts.grades = dict(Counter(str(grade) for grade, _ in rows))
    facts.subsidy_stopped = sum(1 for _, stopped in rows if stopped)
    on_duty = await on_duty_workers(session, unit_ids=[unit_id])
    steps = await step_rows(session, cycle_id=cycle_id, unit_ids=[unit_id])
    facts.procedure_gaps = missing_steps(
        {row.step: step_record(row) for row in steps}, [w for w, _ in on_duty.get(unit_id, [])]
    )
    tasks = await session.execute(
        select(col(UnitTask.state), col(UnitTask.due_on)).where(
            col(UnitTask.cycle_id) == cycle_id, col(UnitTask.unit_id) == unit_id
        )
    )
    for state, due in tasks.all():
        facts.tasks += 1
        facts.tasks_done += state == "done"
        facts.tasks_overdue += state != "done" and due < today
    verified = await session.execute(
        select(col(Verification.present), col(Verification.excuse))
        .join(Worker, col(Worker.id) == col(Verification.worker_id))
        .where(col(Verification.cycle_id) == cycle_id, col(Worker.unit_id) == unit_id)
    )
    for present, excuse in verified.all():
        facts.verified += 1
        facts.absent += not present and not excuse
    vouchers = await session.execute(
        select(VoucherMonth).where(
            col(VoucherMonth.cycle_id) == cycle_id, col(VoucherMonth.unit_id) == unit_id
        )
    )
    for month in vouchers.scalars():
        facts.voucher_files += bool(month.file)
        facts.voucher_paper += month.paper
        facts.voucher_checked += month.checked
    return facts


async def unit_findings(
    session: AsyncSession, *, plan_id: int, unit_id: int
) -> list[InspectionFinding]:
    found = await session.execute(
        select(InspectionFinding)
        .where(col(InspectionFinding.plan_id) == plan_id, col(InspectionFinding.unit_id) == unit_id)
        .order_by(col(InspectionFinding.id))
    )
    return list(found.scalars())
