"""人员招录 written with the roster: a roster with any of the columns 招录方式, 人员类别 or
是否符合条件 sets them on its workers, each empty cell keeping what is on record; a roster
without them leaves them alone. Compared first, like everything the import writes, so the same
roster imported again changes nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from domain.recruitment import COLUMNS, Recruitment, merged
from domain.sheet import SheetRow
from storage.import_bulk import WORKER, Bulk

Change = tuple[Any, ...]  # the columns' new values, then the worker's id


class _OnRecord(Protocol):
    id: int


async def plan_known(
    bulk: Bulk,
    changes: list[Change],
    keyed: Sequence[tuple[SheetRow, str]],
    workers: Mapping[str, _OnRecord],
) -> set[int]:
    """Plans the recruitment of the rows' workers on record; the ids of those it changes."""
    rows = [(row, workers[key].id) for row, key in keyed if key in workers]
    if not rows or rows[0][0].recruitment is None:
        return set()
    found = await bulk.select_in(WORKER, ("id", *COLUMNS), "id", [w for _, w in rows])
    # SQLite hands booleans back as 0 and 1.
    now = {int(r[0]): Recruitment.stored(r[1], r[2], r[3]) for r in found}
    return {w for row, w in rows if plan_recruitment(changes, w, row.recruitment, now.get(w))}


def plan_recruitment(
    changes: list[Change], worker_id: int, new: Recruitment | None, now: Recruitment | None
) -> bool:
    """Adds the worker's recruitment to ``changes`` when the row changes what is on record."""
    if new is None:
        return False
    before = now or Recruitment()
    after = merged(new, before)
    if after == before:
        return False
    changes.append((*after, worker_id))
    return True


async def write_recruitment(bulk: Bulk, changes: list[Change]) -> None:
    await bulk.update(WORKER, COLUMNS, changes)
