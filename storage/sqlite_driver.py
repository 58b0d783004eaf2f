"""aiosqlite with fewer trips to its thread: what SQLAlchemy's aiosqlite dialect connects
with for a SQLite file (``storage.db.make_engine``).

aiosqlite runs each call on the connection's own thread and wakes the event loop when it is
done: creating a cursor, executing, fetching the rows and closing the cursor are four trips
per statement, and a trip costs two thread wake-ups, which on a busy machine is worth far
more than the statement itself. Here a statement is one trip: the cursor is made and closed
on the caller's thread (the sqlite3 connection is opened with ``check_same_thread=False``,
as SQLAlchemy opens a file database, and SQLAlchemy runs one call at a time per connection),
and ``execute`` brings back the first rows with it. A commit or a rollback with no
transaction open (a session that only read) makes no trip at all. Every statement and every
commit still runs on the connection's thread, so the event loop never waits for a lock or
an fsync.

A connection closes only after its cursors are closed and its transaction is rolled back, on
its thread: sqlite3 cannot close a connection while a cursor still holds an unfinished
statement (a task cancelled while its statement ran, whose connection SQLAlchemy then closes
at once), and keeps it open, with its transaction and the write lock, until that cursor is
collected; every other writer would wait for the lock meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import weakref
from collections import deque
from collections.abc import Iterable
from functools import partial
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

# Rows brought back with the statement; a larger result (a streamed export) is fetched on in
# further trips, as aiosqlite would.
FIRST_ROWS = 256


def _execute(cursor: sqlite3.Cursor, sql: str, parameters: Any) -> tuple[list[Any], bool]:
    """On the connection's thread: run the statement and fetch its first rows; whether the
    rows are all there is."""
    cursor.execute(sql, parameters)
    if cursor.description is None:
        return [], True
    rows = cursor.fetchmany(FIRST_ROWS)
    return rows, len(rows) < FIRST_ROWS


class Cursor(aiosqlite.Cursor):
    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._rows: deque[Any] = deque()
        self._exhausted = True

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Cursor:
        rows, self._exhausted = await self._execute(  # type: ignore[no-untyped-call]
            _execute, self._cursor, sql, () if parameters is None else parameters
        )
        self._rows = deque(rows)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor:
        self._rows, self._exhausted = deque(), True
        run = self._cursor.executemany
        await self._execute(run, sql, parameters)  # type: ignore[no-untyped-call]
        return self

    async def fetchone(self) -> Any:
        if self._rows:
            return self._rows.popleft()
        return None if self._exhausted else await super().fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        wanted = self._cursor.arraysize if size is None else size
        rows = [self._rows.popleft() for _ in range(min(wanted, len(self._rows)))]
        if len(rows) < wanted and not self._exhausted:
            rows += await super().fetchmany(wanted - len(rows))
        return rows

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        if not self._exhausted:
            rows += await super().fetchall()
            self._exhausted = True
        return rows

    async def close(self) -> None:
        self._rows.clear()
        self._cursor.close()


class Connection(aiosqlite.Connection):
    def __init__(self, connector: Any, iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._cursors: weakref.WeakSet[sqlite3.Cursor] = weakref.WeakSet()

    @contextmanager
    async def cursor(self) -> aiosqlite.Cursor:
        cursor = self._conn.cursor()
        self._cursors.add(cursor)
        return Cursor(self, cursor)

    def _end_statements(self) -> None:
        """On the connection's thread, before it closes: no unfinished statement, no open
        transaction (sqlite3 would otherwise keep both, and the lock, past the close)."""
        connection = self._connection
        if connection is None:
            return
        for cursor in list(self._cursors):
            cursor.close()
        if connection.in_transaction:
            connection.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            # Closed all the same if that fails: sqlite3 then rolls back what it can.
            with contextlib.suppress(sqlite3.Error):
                await self._execute(self._end_statements)  # type: ignore[no-untyped-call]
        await super().close()

    def stop(self) -> asyncio.Future[Any] | None:
        """The close without waiting (SQLAlchemy's for a connection it gave up on, and the
        garbage collector's): the statements end first here too."""
        if self._connection is not None:
            self._tx.put_nowait((None, self._end_statements))
        return super().stop()

    async def commit(self) -> None:
        if self._conn.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self._conn.in_transaction:
            await super().rollback()


def connect(database: str, **kwargs: Any) -> Connection:
    """As ``aiosqlite.connect`` (awaited by SQLAlchemy, which passes it as
    ``async_creator_fn``). The sqlite3 connection must allow use from the caller's thread."""
    if kwargs.get("check_same_thread", True) is not False:
        raise ValueError("the sqlite3 connection must be opened with check_same_thread=False")
    connection = Connection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy sets aiosqlite's own
    return connection
