"""The basis of each grade (三) written with the results: a results sheet with any of the
columns 德、能、勤、绩、廉、综合评价 or the 不合格 ground replaces what is on record for its
workers in the cycle; a sheet without them leaves it alone. Compared first, like everything the
import writes, so the same sheet imported again changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, delete
from sqlalchemy.ext.asyncio import AsyncSession

from domain.sheet import BASIS_COLUMNS
from storage.import_bulk import Bulk
from storage.models import ResultBasis

BASIS: Table = ResultBasis.__table__  # type: ignore[attr-defined]
Basis = tuple[str, ...]


async def load_bases(bulk: Bulk, *, cycle_id: int, worker_ids: Sequence[int]) -> dict[int, Basis]:
    found = await bulk.select_in(
        BASIS, ("worker_id", *BASIS_COLUMNS), "worker_id", worker_ids, cycle_id=cycle_id
    )
    return {int(row[0]): tuple(row[1:]) for row in found}


def plan_basis(
    changes: list[tuple[int, Basis]], worker_id: int, basis: Basis | None, now: Basis | None
) -> bool:
    """Adds the worker's basis to ``changes`` when it differs from the one on record."""
    if basis is None or basis == now or (now is None and not any(basis)):
        return False
    changes.append((worker_id, basis))
    return True


async def write_bases(
    session: AsyncSession,
    bulk: Bulk,
    *,
    cycle_id: int,
    changes: list[tuple[int, Basis]],
    now: datetime,
) -> None:
    if not changes:
        return
    ids = [worker_id for worker_id, _ in changes]
    for start in range(0, len(ids), bulk.max_keys):
        await session.execute(
            delete(BASIS).where(
                BASIS.c.cycle_id == cycle_id,
                BASIS.c.worker_id.in_(ids[start : start + bulk.max_keys]),
            )
        )
    stamp = bulk.constant(BASIS, "updated_at", now)
    rows = [(cycle_id, worker_id, *basis, stamp) for worker_id, basis in changes if any(basis)]
    await bulk.insert(BASIS, ("cycle_id", "worker_id", *BASIS_COLUMNS, "updated_at"), rows)
