"""Units' tasks of a cycle: created from the plan, listed, marked done, counted per unit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.deadlines import PlannedTask
from storage.audit import audit
from storage.models import Case, Cycle, Unit, UnitTask

OPEN_CASE_STATES_EXCLUDED = ("closed", "rejected", "merged")


@dataclass(frozen=True)
class TaskCounts:
    units: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class UnitProgress:
    unit_id: int
    unit_name: str
    total: int
    done: int
    overdue: int


async def cycle_by_year(session: AsyncSession, year: int, *, create: bool = False) -> Cycle | None:
    found = await session.execute(select(Cycle).where(col(Cycle.year) == year))
    cycle = found.scalars().first()
    if cycle is None and create:
        cycle = Cycle(year=year)
        session.add(cycle)
        await session.flush()
    return cycle


async def latest_cycle(session: AsyncSession) -> Cycle | None:
    """The cycle units work on now: the newest one that has tasks."""
    found = await session.execute(
        select(Cycle)
        .where(col(Cycle.id).in_(select(col(UnitTask.cycle_id)).distinct()))
        .order_by(col(Cycle.year).desc())
        .limit(1)
    )
    return found.scalars().first()


async def create_tasks(
    session: AsyncSession, *, cycle: Cycle, plan: Sequence[PlannedTask]
) -> TaskCounts:
    """Every unit gets every planned task; running it again changes nothing.

    A task not yet done follows the plan's dates (a cycle's new 公示 window, a corrected file);
    a task done stays as it was.
    """
    assert cycle.id is not None
    unit_ids: list[int] = [
        uid
        for uid in (await session.execute(select(col(Unit.id)).order_by(col(Unit.id)))).scalars()
        if uid is not None
    ]
    existing = {
        (task.unit_id, task.kind): task
        for task in (
            await session.execute(select(UnitTask).where(col(UnitTask.cycle_id) == cycle.id))
        ).scalars()
    }
    created = updated = unchanged = 0
    for unit_id in unit_ids:
        for planned in plan:
            task = existing.get((unit_id, planned.kind))
            if task is None:
                session.add(
                    UnitTask(
                        cycle_id=cycle.id,
                        unit_id=unit_id,
                        kind=planned.kind,
                        starts_on=planned.starts_on,
                        due_on=planned.due_on,
                        needs_file=planned.needs_file,
                        title=planned.title,
                    )
                )
                created += 1
            elif task.state != "done" and (
                task.due_on,
                task.starts_on,
                task.needs_file,
                task.title,
            ) != (planned.due_on, planned.starts_on, planned.needs_file, planned.title):
                task.due_on, task.starts_on = planned.due_on, planned.starts_on
                task.needs_file, task.title = planned.needs_file, planned.title
                if task.state == "escalated" and planned.due_on >= task.due_on:
                    task.state = "open"
                updated += 1
            else:
                unchanged += 1
    await session.flush()
    return TaskCounts(len(unit_ids), created, updated, unchanged)


async def unit_tasks(session: AsyncSession, *, unit_id: int, cycle_id: int) -> list[UnitTask]:
    found = await session.execute(
        select(UnitTask)
        .where(col(UnitTask.unit_id) == unit_id, col(UnitTask.cycle_id) == cycle_id)
        .order_by(col(UnitTask.due_on), col(UnitTask.id))
    )
    return list(found.scalars())


async def mark_done(
    session: AsyncSession,
    *,
    task: UnitTask,
    user_id: int,
    now: datetime,
    file_id: str = "",
    file_name: str = "",
    note: str = "",
) -> None:
    task.state = "done"
    task.done_at = now
    task.done_by = user_id
    task.file_id = file_id
    task.file_name = file_name[:255]
    task.note = note[:1000]
    audit(
        session,
        actor_user_id=user_id,
        action="unit_task_done",
        target_type="unit_task",
        target_id=task.id,
        kind=task.kind,
        unit_id=task.unit_id,
        with_file=bool(file_id),
    )


async def progress_by_unit(
    session: AsyncSession, *, cycle_id: int, today: date
) -> list[UnitProgress]:
    """Each unit's tasks of the cycle, counted, the unit furthest behind first."""
    done = func.sum(case((col(UnitTask.state) == "done", 1), else_=0))
    overdue = func.sum(
        case(((col(UnitTask.state) != "done") & (col(UnitTask.due_on) < today), 1), else_=0)
    )
    rows = await session.execute(
        select(col(Unit.id), col(Unit.name), func.count(col(UnitTask.id)), done, overdue)
        .join(UnitTask, col(UnitTask.unit_id) == col(Unit.id))
        .where(col(UnitTask.cycle_id) == cycle_id)
        .group_by(col(Unit.id), col(Unit.name))
        # Worst first: the most overdue, then the most left to do; by name among equals.
        .order_by(overdue.desc(), (func.count(col(UnitTask.id)) - done).desc(), col(Unit.name))
    )
    return [
        UnitProgress(int(uid), str(name), int(total), int(d or 0), int(o or 0))
        for uid, name, total, d, o in rows.all()
    ]


@dataclass(frozen=True)
class UnitLoad:
    unit_id: int
    unit_name: str
    overdue_tasks: int
    open_cases: int


async def overdue_and_open_cases(session: AsyncSession, *, today: date) -> list[UnitLoad]:
    """Every unit with overdue tasks or open cases, the most burdened first, for the digest."""
    overdue = await _counts_by_unit(
        session,
        select(col(UnitTask.unit_id), func.count())
        .where(col(UnitTask.state) != "done", col(UnitTask.due_on) < today)
        .group_by(col(UnitTask.unit_id)),
    )
    cases = await _counts_by_unit(
        session,
        select(col(Case.unit_id), func.count())
        .where(col(Case.unit_id).is_not(None), col(Case.state).not_in(OPEN_CASE_STATES_EXCLUDED))
        .group_by(col(Case.unit_id)),
    )
    wanted = set(overdue) | set(cases)
    if not wanted:
        return []
    names: dict[int, str] = {
        uid: name
        for uid, name in (
            await session.execute(
                select(col(Unit.id), col(Unit.name)).where(col(Unit.id).in_(wanted))
            )
        ).all()
        if uid is not None
    }
    loads = [UnitLoad(uid, names[uid], overdue.get(uid, 0), cases.get(uid, 0)) for uid in wanted]
    return sorted(loads, key=lambda u: (-(u.overdue_tasks + u.open_cases), u.unit_name))


async def _counts_by_unit(session: AsyncSession, statement: Any) -> dict[int, int]:
    return {int(uid): int(n) for uid, n in (await session.execute(statement)).all() if uid}
