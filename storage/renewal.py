"""Reading the renewal paperwork: each worker of a unit with a final result in a closed cycle,
what the rules make of the result, what the unit recorded and the tasks still open."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from domain.grades import Grade
from domain.renewal import PaperState, paper_state, worker_task_base
from domain.subsidy import parse_findings, renewal_effective
from storage.models import Cycle, RenewalPaper, Result, Unit, UnitTask, Worker


@dataclass(frozen=True)
class PaperRow:
    """One worker's paperwork in a cycle."""

    worker_id: int
    unit_id: int
    name: str
    post: str
    grade: Grade
    renews: bool  # what the result and the rules say
    fails_twice: bool
    paper: RenewalPaper | None
    tasks: tuple[UnitTask, ...]
    state: PaperState

    def overdue(self, today: date) -> int:
        return sum(1 for task in self.tasks if task.state != "done" and task.due_on < today)


@dataclass
class UnitPaperwork:
    """A unit's completion, worker by worker."""

    unit_id: int
    unit_name: str
    rows: list[PaperRow] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if row.state is PaperState.DONE)

    def overdue(self, today: date) -> int:
        return sum(1 for row in self.rows if row.overdue(today))


async def closed_cycle(session: AsyncSession) -> Cycle | None:
    """The newest cycle whose 公示 has closed: the one whose paperwork is done now."""
    found = await session.execute(
        select(Cycle).where(col(Cycle.state) == "closed").order_by(col(Cycle.year).desc()).limit(1)
    )
    return found.scalars().first()


async def paperwork(
    session: AsyncSession,
    *,
    cycle: Cycle,
    basic_may_renew: bool,
    unit_id: int | None = None,
    worker_id: int | None = None,
) -> list[UnitPaperwork]:
    """Every unit (or one) with final results in ``cycle``, its workers ordered by name."""
    query = (
        select(Result, Worker, Unit)
        .join(Worker, col(Worker.id) == col(Result.worker_id))
        .join(Unit, col(Unit.id) == col(Result.unit_id))
        .where(col(Result.cycle_id) == cycle.id, col(Result.status) == "final")
        .order_by(col(Unit.name), col(Worker.name), col(Worker.id))
    )
    papers_query = select(RenewalPaper).where(col(RenewalPaper.cycle_id) == cycle.id)
    tasks_query = select(UnitTask).where(
        col(UnitTask.cycle_id) == cycle.id, col(UnitTask.worker_id).is_not(None)
    )
    if unit_id is not None:
        query = query.where(col(Result.unit_id) == unit_id)
        papers_query = papers_query.where(col(RenewalPaper.unit_id) == unit_id)
        tasks_query = tasks_query.where(col(UnitTask.unit_id) == unit_id)
    if worker_id is not None:
        query = query.where(col(Result.worker_id) == worker_id)
        papers_query = papers_query.where(col(RenewalPaper.worker_id) == worker_id)
        tasks_query = tasks_query.where(col(UnitTask.worker_id) == worker_id)
    papers = {p.worker_id: p for p in (await session.execute(papers_query)).scalars()}
    tasks: dict[int, list[UnitTask]] = defaultdict(list)
    for task in (await session.execute(tasks_query.order_by(col(UnitTask.id)))).scalars():
        if task.worker_id is not None and worker_task_base(task.kind):
            tasks[task.worker_id].append(task)
    failed_before = await _failed_last_year(session, cycle)
    units: dict[int, UnitPaperwork] = {}
    for result, worker, unit in (await session.execute(query)).all():
        grade = Grade(result.grade)
        renews = renewal_effective(
            grade=grade,
            renew=result.renew,
            findings=parse_findings(result.findings or []),
            renewal_blocked=result.renewal_blocked,
            basic_may_renew=basic_may_renew,
        )
        paper = papers.get(worker.id or 0)
        own = tuple(tasks.get(worker.id or 0, ()))
        row = PaperRow(
            worker_id=worker.id or 0,
            unit_id=unit.id or 0,
            name=worker.name,
            post=result.post_title,
            grade=grade,
            renews=renews,
            fails_twice=grade is Grade.FAIL and worker.id in failed_before,
            paper=paper,
            tasks=own,
            state=paper_state(
                renews=renews,
                recorded=paper.outcome if paper else None,
                open_tasks=sum(1 for task in own if task.state != "done"),
            ),
        )
        units.setdefault(row.unit_id, UnitPaperwork(row.unit_id, unit.name)).rows.append(row)
    return list(units.values())


async def _failed_last_year(session: AsyncSession, cycle: Cycle) -> set[int]:
    found = await session.execute(
        select(col(Result.worker_id))
        .join(Cycle, col(Cycle.id) == col(Result.cycle_id))
        .where(col(Cycle.year) == cycle.year - 1, col(Result.grade) == Grade.FAIL.value)
    )
    return {int(worker_id) for worker_id in found.scalars()}
