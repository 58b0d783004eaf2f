"""How a large import uses SQLite: a roomy page cache, indexes of tables it more than doubles built
once, and foreign keys confirmed once rather than at every row.

A large import into a table holding fewer rows than it brings builds that table's indexes once,
at the end.

A hundred thousand keyed hashes land at random places in their index, one search and one page
change each; building the index once from the finished table sorts them instead, which costs
about a third as much; where the table already holds rows, but fewer than the file brings,
sorting those too still costs less than the file's own rows would cost one by one. So when a
table the import writes holds fewer rows than the file has as the import begins (none, in a
first import), and the file is large, its own indexes (not those that carry a UNIQUE constraint
of the table itself, which SQLite keeps internally) are dropped inside the import's transaction
and created again, from the very statements that defined them, before it commits; except
those the import looks rows up by while it writes (``searched``: workers by the hash of their
ID number, when there are more workers on record than it loads at once, storage.import_known),
which each chunk would otherwise read whole. A city's file after its county's (100,000 rows
into a database holding 520 workers with their results, `bench/import_results.py --county-rows
520`, alternating runs): 2.85 s and 2.79 s against 3.04 s and 3.10 s when only empty tables'
indexes were built at the end.

All or nothing holds: in SQLite the schema belongs to the transaction, so a failed or
interrupted import rolls the dropped indexes back with everything else, and nobody else sees
the table without them (readers keep their snapshot; writers wait for the lock). A unique index
created again over rows that break it fails the import with IntegrityError, as the insert itself
would have. PostgreSQL is left alone: there, dropping an index locks the table for every reader.

A large import confirms its foreign keys once, before it commits.

SQLite checks a row's foreign keys as it writes the row, one search of the parent's primary key
each: a result refers to its worker, unit, cycle and batch, and these searches take about a
quarter of the time the inserts take. Yet nearly every parent is one the import wrote itself
(new workers, the cycle, the batch) or read after its first write, and from that write until the
commit it holds SQLite's one write lock, so nobody else can remove them. What is left is what it
took from the database before that write, when SQLite had not yet opened its transaction (it
opens one only at the first INSERT, UPDATE or DELETE): the units, loaded before the import in a
session of their own, the workers it read before its first write and the cycle. So the import
of a large file runs with foreign keys off on its connection and, before committing, counts
those parents in a few indexed queries (``all_exist``); one missing fails the import as another
import's conflict, as the foreign key would have. What is written with the import at its end
(a late 公示's notices) refers to the same parents or to rows read then, under the lock. Nothing
the import changes is a parent whose removal would reach other rows: it updates no key, and
deletes only bases (result_basis), to which nothing refers. Other connections check every key
as before.

The setting belongs to a connection and cannot change inside a transaction, so the import holds
one connection from before its transaction begins until after it ends: foreign keys are
switched off and read back before (still on, the import goes on with them checked, only more
slowly), and switched on and read back after the commit or the rollback, before the connection
goes back to the pool. One that cannot be confirmed on again is invalidated: closed, never
handed out again; and the pool hands out no connection still marked as having them off
(storage.db). PostgreSQL is left alone here too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager, suppress
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import FOREIGN_KEYS_OFF, transaction

# Below this many rows the indexes are kept and foreign keys checked row by row: the saving is too
# small to be worth a schema change or a connection of the import's own.
DEFER_FROM_ROWS = 20_000

# Keys counted in one query: SQLite before 3.32 allows only 999 parameters in a statement.
KEYS_PER_COUNT = 900


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

    def __init__(
        self,
        connection: AsyncConnection,
        tables: list[Table],
        searched: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        self.connection = connection
        self.tables = tables
        self.searched = searched or {}  # table name: columns whose indexes stay
        self.dropped: list[tuple[str, str]] = []  # (name, CREATE INDEX statement)

    @classmethod
    async def for_import(
        cls,
        connection: AsyncConnection,
        tables: list[Table],
        expected_rows: int,
        *,
        searched: Mapping[str, Collection[str]] | None = None,
    ) -> DeferredIndexes:
        """Those of ``tables`` holding fewer rows than ``expected_rows``, when these make it
        worth it. ``searched``: by table name, the columns the import looks rows up by as it
        writes; an index whose first column is one of them stays."""
        if connection.dialect.name != "sqlite" or expected_rows < DEFER_FROM_ROWS:
            return cls(connection, [])
        fewer = []
        for table in tables:
            # Counted no further than the file's rows: a large table is not read whole.
            found = await connection.exec_driver_sql(
                f"SELECT count(*) FROM (SELECT 1 FROM {table.name} LIMIT {int(expected_rows)})"
            )
            if found.scalar_one() < expected_rows:
                fewer.append(table)
        return cls(connection, fewer, searched)

    async def drop(self) -> None:
        """Drops the indexes, once, and only inside an open transaction: outside one, SQLite
        would make the drop permanent at once, so they are then kept."""
        if not self.tables or self.dropped or not await self._in_transaction():
            return
        for table in self.tables:
            # Each index with its first column, in the one query.
            found = await self.connection.exec_driver_sql(
                "SELECT m.name, m.sql, (SELECT i.name FROM pragma_index_info(m.name) AS i "
                "WHERE i.seqno = 0) FROM sqlite_master AS m "
                "WHERE m.type = 'index' AND m.tbl_name = ? AND m.sql IS NOT NULL ORDER BY m.name",
                (table.name,),
            )
            kept = self.searched.get(table.name, ())
            indexes = cast("list[tuple[str, str, str]]", found.all())
            self.dropped += [(name, sql) for name, sql, first in indexes if first not in kept]
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


@asynccontextmanager
async def import_transaction(
    sessions: async_sessionmaker[AsyncSession], *, expected_rows: int
) -> AsyncIterator[tuple[AsyncSession, bool]]:
    """The import's one transaction, as storage.db.transaction: committed when the block ends,
    rolled back if it raises. Yields its session and whether foreign keys are off in it.

    Off on SQLite when ``expected_rows`` make it worth it (see above); the block must then
    confirm with ``all_exist``, before it ends, every parent the import neither wrote nor read
    after its first write.
    """
    engine = sessions.kw.get("bind")
    if (
        not isinstance(engine, AsyncEngine)
        or engine.dialect.name != "sqlite"
        or expected_rows < DEFER_FROM_ROWS
    ):
        async with transaction(sessions) as session:
            yield session, False
        return
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        raw.info[FOREIGN_KEYS_OFF] = True
        try:
            unchecked = await _set_foreign_keys(connection, on=False)
            async with sessions(bind=connection) as session, session.begin():
                yield session, unchecked
        finally:
            await _foreign_keys_back_on(connection, raw.info)


async def all_exist(connection: AsyncConnection, table: Table, ids: Collection[int]) -> bool:
    """Whether each of ``ids`` is the key of a row of ``table``: what the foreign keys of rows
    referring to them would have checked, in one indexed count per 900 keys."""
    keys = sorted(ids)
    found = 0
    for start in range(0, len(keys), KEYS_PER_COUNT):
        some = keys[start : start + KEYS_PER_COUNT]
        counted = await connection.execute(
            select(func.count()).select_from(table).where(table.c.id.in_(some))
        )
        found += int(counted.scalar_one())
    return found == len(keys)


async def _set_foreign_keys(connection: AsyncConnection, *, on: bool) -> bool:
    """Switches foreign keys on or off, outside any transaction; whether they now are so."""
    await connection.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    now = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
    # SQLAlchemy began a transaction for the PRAGMAs (sqlite3 did not: they are no INSERT, UPDATE
    # or DELETE). It ends here, so that a session bound to this connection begins, commits and
    # rolls back a transaction of its own: one joining a transaction already begun would leave
    # the commit to the connection, and the import would be rolled back when it is let go.
    await connection.commit()
    return bool(now) == on


async def _foreign_keys_back_on(connection: AsyncConnection, info: dict[Any, Any]) -> None:
    """On again and read back, or the connection invalidated: never reused without them."""
    try:
        on = await _set_foreign_keys(connection, on=True)
    except Exception:  # whatever it was, they cannot be confirmed on
        on = False
    if on:
        info.pop(FOREIGN_KEYS_OFF, None)
        return
    # Still marked: should the invalidation fail as well, the pool will not hand it out.
    with suppress(SQLAlchemyError):
        await connection.invalidate()
