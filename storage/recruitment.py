"""The year's newcomers of a unit with how each was recruited and whether they were eligible
(人员招录), for the inspector's checklist and the unit's inspection record. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.recruitment import Recruitment, flagged
from storage.models import Worker, WorkerChange

# Joins that are no recruitment: a worker put back after a mistaken strike-off.
NOT_RECRUITED = ("restored",)


@dataclass(frozen=True)
class Newcomer:
    worker_id: int
    name: str  # masked by whoever shows it
    joined_on: date
    recruitment: Recruitment

    @property
    def flagged(self) -> bool:
        return flagged(self.recruitment)


async def newcomers_of(session: AsyncSession, *, unit_id: int, year: int) -> list[Newcomer]:
    """Each worker who joined the unit in ``year`` (from the roster's own history), once, on
    the first day they joined; those the inspector must look at first."""
    found = await session.execute(
        select(
            col(Worker.id),
            col(Worker.name),
            col(WorkerChange.on_day),
            col(Worker.recruited_by),
            col(Worker.hardship),
            col(Worker.eligible),
        )
        .join(Worker, col(Worker.id) == col(WorkerChange.worker_id))
        .where(
            col(WorkerChange.unit_id) == unit_id,
            col(WorkerChange.change) == "joined",
            col(WorkerChange.reason).not_in(NOT_RECRUITED),
            col(WorkerChange.on_day) >= date(year, 1, 1),
            col(WorkerChange.on_day) <= date(year, 12, 31),
        )
        .order_by(col(WorkerChange.on_day), col(WorkerChange.id))
    )
    seen: dict[int, Newcomer] = {}
    for worker_id, name, day, method, category, eligible in found.all():
        if worker_id is not None and worker_id not in seen:
            recruited = Recruitment(method, category, None if eligible is None else bool(eligible))
            seen[worker_id] = Newcomer(worker_id, str(name), day, recruited)
    return sorted(seen.values(), key=lambda n: (not n.flagged, n.joined_on, n.worker_id))
