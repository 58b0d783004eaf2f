"""How a large import uses SQLite: a roomy page cache, and indexes of empty tables built once.

A large import into an empty table builds that table's indexes once, at the end.

A hundred thousand keyed hashes land at random places in their index, one search and one page
change each; building the index once from the finished table sorts them instead, which costs
about a third as much. So when a table the import writes is empty as the import begins and the
file is large, its own indexes (not those that carry a UNIQUE constraint of the table itself,
which SQLite keeps internally) are dropped inside the import's transaction and created again,
from the very statements that defined them, before it commits.

All or nothing holds: in SQLite the schema belongs to the transaction, so a failed or
interrupted import rolls the dropped indexes back with everything else, and nobody else sees
the table without them (readers keep their snapshot; writers wait for the lock). A unique index
created again over rows that break it fails the import with IntegrityError, as the insert itself
would have. PostgreSQL is left alone: there, dropping an index locks the table for every reader.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import cast

from sqlalchemy import Table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

# Below this many rows the indexes are kept: the saving is too small to be worth a schema change.
DEFER_FROM_ROWS = 20_000


@asynccontextmanager
async def roomy_cache(connection: AsyncConnection) -> AsyncIterator[None]:
    """A 64 MB SQLite page cache while importing, for this connection only.

    Keyed hashes land at random places in their indexes, and with SQLite's default 2 MB cache a
    large import mostly waits on the disk.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    before = (await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one()
    await connection.exec_driver_sql("PRAGMA cache_size = -65536")
    try:
        yield
    finally:
        # The connection goes back to the pool: it must not keep 64 MB for good. After a failed
        # statement the reset may fail too; the rollback matters more.
        with suppress(SQLAlchemyError):
            await connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


class DeferredIndexes:
    """The indexes dropped for the import, to be created again before it commits."""

    def __init__(self, connection: AsyncConnection, tables: list[Table]) -> None:
        self.connection = connection
        self.tables = tables
        self.dropped: list[tuple[str, str]] = []  # (name, CREATE INDEX statement)

    @classmethod
    async def for_import(
        cls, connection: AsyncConnection, tables: list[Table], expected_rows: int
    ) -> DeferredIndexes:
        """Those of ``tables`` that are empty, when ``expected_rows`` make it worth it."""
        if connection.dialect.name != "sqlite" or expected_rows < DEFER_FROM_ROWS:
            return cls(connection, [])
        empty = []
        for table in tables:
            found = await connection.exec_driver_sql(f"SELECT 1 FROM {table.name} LIMIT 1")
            if found.first() is None:
                empty.append(table)
        return cls(connection, empty)

    async def drop(self) -> None:
        """Drops the indexes, once, and only inside an open transaction: outside one, SQLite
        would make the drop permanent at once, so they are then kept."""
        if not self.tables or self.dropped or not await self._in_transaction():
            return
        for table in self.tables:
            found = await self.connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                (table.name,),
            )
            self.dropped += cast("list[tuple[str, str]]", [tuple(row) for row in found])
        for name, _ in self.dropped:
            await self.connection.exec_driver_sql(f'DROP INDEX "{name}"')
        self.tables = []

    async def restore(self) -> None:
        """Creates every dropped index again, as it was defined."""
        while self.dropped:
            _, sql = self.dropped.pop(0)
            await self.connection.exec_driver_sql(sql)

    async def _in_transaction(self) -> bool:
        raw = await self.connection.get_raw_connection()
        return bool(getattr(raw.driver_connection, "in_transaction", False))
