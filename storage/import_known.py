"""Workers on record, found by the keyed hash of their ID number as an import writes.

Each chunk asks the database for its rows' hashes, through the index on the hash. But a large
import on SQLite into a database holding few workers (a city's 100,000 rows after its county's
520) loads them all once instead, before its first write (``loaded``): no chunk asks again, and
the index on the hash can then be built once at the end like the table's others
(storage.import_sqlite), instead of taking the file's 100,000 keys one by one at random places
while SQLite's one write lock is held. At most PRELOAD_MAX workers are loaded (about 9 MB);
beyond that each chunk asks, as before.

They are read before the import's transaction takes the lock, as the first chunk's always
were: the import confirms before committing that each of them is still there (their ids join
``Writer.read_unlocked``); one removed meanwhile fails the import as another's conflict, and a
worker added meanwhile with the same ID number breaks the index on the hash as it is built
again, which fails it the same way. PostgreSQL keeps its indexes during an import, so there each
chunk asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import import_sqlite
from storage.import_bulk import WORKER, Bulk

PRELOAD_MAX = 20_000

_COLUMNS = ("id_hash", "id", "name", "phone_hash", "phone_last4", "unit_id")


@dataclass(slots=True)
class WorkerNow:
    id: int
    name: str
    phone_hash: str | None
    phone_last4: str | None
    unit_id: int


async def loaded(connection: AsyncConnection, expected_rows: int) -> dict[str, WorkerNow] | None:
    """Every worker on record by the hash of their ID number, when the import should load them
    whole (see above); else None."""
    if connection.dialect.name != "sqlite" or expected_rows < import_sqlite.DEFER_FROM_ROWS:
        return None
    most = min(PRELOAD_MAX, expected_rows - 1)  # fewer than the file brings, or not at all
    counted = await connection.exec_driver_sql(
        f"SELECT count(*) FROM (SELECT 1 FROM {WORKER.name} LIMIT {int(most) + 1})"
    )
    if counted.scalar_one() > most:
        return None
    found = await connection.execute(select(*(WORKER.c[column] for column in _COLUMNS)))
    return {row[0]: WorkerNow(*row[1:]) for row in found}


async def looked_up(bulk: Bulk, id_hashes: list[str]) -> dict[str, WorkerNow]:
    """The workers on record among ``id_hashes``, asked of the database."""
    found = await bulk.select_in(WORKER, _COLUMNS, "id_hash", id_hashes)
    return {row[0]: WorkerNow(*row[1:]) for row in found}
