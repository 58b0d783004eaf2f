"""Reading the procedure record and the basis of grades (storage side of services.procedure).

Each function runs in the caller's transaction and commits nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from domain.procedure import BASIS_PARTS, GradeBasis, StepRecord
from storage.models import Cycle, LateNotice, ProcedureStep, ResultBasis, Unit, Worker


async def grade_basis(session: AsyncSession, *, cycle_id: int, worker_id: int) -> GradeBasis | None:
    found = await session.execute(
        select(ResultBasis).where(
            col(ResultBasis.cycle_id) == cycle_id, col(ResultBasis.worker_id) == worker_id
        )
    )
    row = found.scalars().first()
    if row is None:
        return None
    basis = GradeBasis({part: str(getattr(row, part)) for part in BASIS_PARTS}, row.fail_ground)
    return None if basis.empty else basis


async def step_rows(
    session: AsyncSession, *, cycle_id: int, unit_ids: Sequence[int] | None = None
) -> list[ProcedureStep]:
    statement = select(ProcedureStep).where(col(ProcedureStep.cycle_id) == cycle_id)
    if unit_ids is not None:
        statement = statement.where(col(ProcedureStep.unit_id).in_(list(unit_ids)))
    return list((await session.execute(statement)).scalars())


def step_record(row: ProcedureStep) -> StepRecord:
    return StepRecord(
        step=row.step,
        held_on=row.held_on,
        workers=frozenset(int(w) for w in row.workers or ()),
        people={str(k): list(v) for k, v in (row.people or {}).items()},
        reason=row.reason,
        has_minutes=bool(row.minutes_file_id),
    )


async def step_row(
    session: AsyncSession, *, cycle_id: int, unit_id: int, step: str
) -> ProcedureStep | None:
    found = await session.execute(
        select(ProcedureStep).where(
            col(ProcedureStep.cycle_id) == cycle_id,
            col(ProcedureStep.unit_id) == unit_id,
            col(ProcedureStep.step) == step,
        )
    )
    return found.scalars().first()


async def on_duty_workers(
    session: AsyncSession, *, unit_ids: Sequence[int] | None = None
) -> dict[int, list[tuple[int, str]]]:
    """Each unit's on-duty workers as (id, name), in the order they were registered."""
    statement = (
        select(col(Worker.unit_id), col(Worker.id), col(Worker.name))
        .where(col(Worker.status) == "on_duty")
        .order_by(col(Worker.id))
    )
    if unit_ids is not None:
        statement = statement.where(col(Worker.unit_id).in_(list(unit_ids)))
    by_unit: dict[int, list[tuple[int, str]]] = {}
    rows: Sequence[Any] = (await session.execute(statement)).all()
    for unit_id, worker_id, name in rows:
        by_unit.setdefault(int(unit_id), []).append((int(worker_id), str(name)))
    return by_unit


async def units_on_duty(
    session: AsyncSession, *, unit_ids: Sequence[int] | None = None
) -> set[int]:
    """The units (of ``unit_ids``, or all) with at least one on-duty worker.

    Asked unit by unit through the workers' unit index, which stops at each unit's first
    on-duty worker: after a city's import, a scan of every worker for their distinct units
    cost a fifth of a second."""
    on_duty = (
        select(col(Worker.id))
        .where(col(Worker.unit_id) == col(Unit.id), col(Worker.status) == "on_duty")
        .exists()
    )
    statement = select(col(Unit.id)).where(on_duty)
    if unit_ids is not None:
        statement = statement.where(col(Unit.id).in_(list(unit_ids)))
    found: Sequence[Any] = (await session.execute(statement)).scalars().all()
    return {int(unit_id) for unit_id in found}


async def unit_names(session: AsyncSession) -> dict[int, str]:
    found = await session.execute(select(col(Unit.id), col(Unit.name)).order_by(col(Unit.name)))
    rows: Sequence[Any] = found.all()
    return {int(unit_id): str(name) for unit_id, name in rows}


async def cycle_for_year(session: AsyncSession, year: int) -> Cycle | None:
    found = await session.execute(select(Cycle).where(col(Cycle.year) == year))
    return found.scalars().first()


async def own_window(
    session: AsyncSession, *, cycle_id: int, worker_id: int
) -> tuple[date, date] | None:
    """The notice period of a result added or changed while the 公示 ran, if it was."""
    found = await session.execute(
        select(LateNotice).where(
            col(LateNotice.cycle_id) == cycle_id, col(LateNotice.worker_id) == worker_id
        )
    )
    notice = found.scalars().first()
    return None if notice is None else (notice.opens_on, notice.closes_on)
