"""The roster's own history (人员增减变动): who joined a unit and who left it, on which day and
why. The roster import writes a join for each newcomer and a leave and a join for a move
between units; the staff verification writes a leave for an absentee struck off (and a join
when that is put right). Keyword-only; nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Worker, WorkerChange

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Change:
    worker_id: int
    name: str
    change: str  # joined | left
    on_day: date
    reason: str


def record_change(
    session: AsyncSession, *, worker_id: int, unit_id: int, change: str, now: datetime, reason: str
) -> None:
    session.add(
        WorkerChange(
            worker_id=worker_id,
            unit_id=unit_id,
            change=change,
            on_day=now.astimezone(SHANGHAI).date(),
            reason=reason,
            recorded_at=now,
        )
    )


async def changes_in_year(session: AsyncSession, *, unit_id: int, year: int) -> list[Change]:
    """The unit's joins and leaves of the year, oldest first."""
    found = await session.execute(
        select(
            col(WorkerChange.worker_id),
            col(Worker.name),
            col(WorkerChange.change),
            col(WorkerChange.on_day),
            col(WorkerChange.reason),
        )
        .join(Worker, col(Worker.id) == col(WorkerChange.worker_id))
        .where(
            col(WorkerChange.unit_id) == unit_id,
            col(WorkerChange.on_day) >= date(year, 1, 1),
            col(WorkerChange.on_day) <= date(year, 12, 31),
        )
        .order_by(col(WorkerChange.on_day), col(WorkerChange.id))
    )
    return [Change(w, str(n), str(c), d, str(r)) for w, n, c, d, r in found.all()]
