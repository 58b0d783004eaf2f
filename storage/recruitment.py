"""The year's newcomers of a unit with how each was recruited and whether they were eligible
(人员招录), for the inspector's checklist and the unit's inspection record. Reads only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.recruitment import Recruitment, flagged
from storage.models import Worker, WorkerChange
from storage.roster_history import Change, changes_in_year

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
    """Each worker who joined the unit in ``year`` (from the roster's own history)."""
    return await newcomers_among(
        session, await changes_in_year(session, unit_id=unit_id, year=year)
    )


async def newcomer_counts(session: AsyncSession, *, year: int) -> dict[int, tuple[int, int]]:
    """Per unit, how many workers joined it in ``year`` and how many of those are flagged:
    what ``newcomers_of`` gives one unit at a time, for every unit in one query (the
    inspection's summary has a row per unit). Units without newcomers are left out."""
    found = await session.execute(
        select(
            col(WorkerChange.unit_id),
            col(Worker.id),
            col(Worker.recruited_by),
            col(Worker.hardship),
            col(Worker.eligible),
        )
        .join(Worker, col(Worker.id) == col(WorkerChange.worker_id))
        .where(
            col(WorkerChange.change) == "joined",
            col(WorkerChange.reason).not_in(NOT_RECRUITED),
            col(WorkerChange.on_day) >= date(year, 1, 1),
            col(WorkerChange.on_day) <= date(year, 12, 31),
        )
        .distinct()
    )
    counts: dict[int, tuple[int, int]] = {}
    for unit_id, _, method, category, eligible in found.all():
        joined, to_check = counts.get(unit_id, (0, 0))
        to_look_at = flagged(Recruitment.stored(method, category, eligible))
        counts[unit_id] = (joined + 1, to_check + to_look_at)
    return counts


async def newcomers_among(session: AsyncSession, changes: Sequence[Change]) -> list[Newcomer]:
    """The newcomers of a unit's year of ``changes`` (storage.roster_history, oldest first):
    each worker once, on the first day they joined, those the inspector must look at first."""
    first: dict[int, Change] = {}
    for change in changes:
        if change.change == "joined" and change.reason not in NOT_RECRUITED:
            first.setdefault(change.worker_id, change)
    if not first:
        return []
    found = await session.execute(
        select(
            col(Worker.id), col(Worker.recruited_by), col(Worker.hardship), col(Worker.eligible)
        ).where(col(Worker.id).in_(list(first)))
    )
    newcomers = [
        Newcomer(
            worker_id,
            first[worker_id].name,
            first[worker_id].on_day,
            Recruitment.stored(method, category, eligible),
        )
        for worker_id, method, category, eligible in found.all()
        if worker_id is not None
    ]
    return sorted(newcomers, key=lambda n: (not n.flagged, n.joined_on, n.worker_id))
