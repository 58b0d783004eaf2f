"""What the desk picks from when it logs a call, a letter or a visit: the units and the
workers whose names hold what the official typed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Unit, Worker

PICKS = 8  # buttons offered at most; more matches ask for more of the name


async def units_named(session: AsyncSession, text: str) -> list[tuple[int, str]]:
    found = await session.execute(
        select(col(Unit.id), col(Unit.name))
        .where(col(Unit.name).contains(text, autoescape=True))
        .order_by(col(Unit.name))
        .limit(PICKS + 1)
    )
    return [(int(i or 0), str(n)) for i, n in found.all()]


async def workers_named(session: AsyncSession, *, unit_id: int, text: str) -> list[tuple[int, str]]:
    found = await session.execute(
        select(col(Worker.id), col(Worker.name))
        .where(
            col(Worker.unit_id) == unit_id,
            col(Worker.name).contains(text, autoescape=True),
        )
        .order_by(col(Worker.name), col(Worker.id))
        .limit(PICKS + 1)
    )
    return [(int(i or 0), str(n)) for i, n in found.all()]


async def unit_name(session: AsyncSession, unit_id: int) -> str | None:
    unit = await session.get(Unit, unit_id)
    return unit.name if unit else None


async def worker_in_unit(session: AsyncSession, *, worker_id: int, unit_id: int) -> str | None:
    worker = await session.get(Worker, worker_id)
    return worker.name if worker is not None and worker.unit_id == unit_id else None
