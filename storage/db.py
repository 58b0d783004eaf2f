"""The async engine and sessions, on SQLite (WAL, foreign keys, durable commits) or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_driver import connect

# How long a commit waits for SQLite's one write lock before it fails. A results import writes
# all its rows in one transaction (a file goes in whole or not at all), and a city's 100,000
# rows hold the lock for seconds, longer on a busy machine: bench/under_load.py saw a writer
# wait 7.5 s, and a 30-second import once outlasted the former 10 s, so that people who wrote
# meanwhile were told "something went wrong". They should wait for it instead.
BUSY_TIMEOUT_MS = 60_000


# The page size of a database file created from now on (SQLite's default is 4 KB). A large
# import's commit writes every page it changed to the write-ahead log, two system calls a page,
# and builds its indexes a page at a time, all holding the one write lock: a city's 100,000
# rows into a new database (bench/import_results.py, timelines of three alternating pairs) took
# 2.50-2.57 s with 16 KB pages against 2.66-2.67 s with 4 KB, its commit 0.15-0.16 s against
# 0.22-0.24 s and its indexes 0.23 s against 0.27-0.28 s; under the first day's load
# (bench/under_load.py, alternating) citizens' p99 0.85 and 1.02 s against 1.11 and 1.06 s.
# Larger pages gained little more and make every small commit write more. Only a file not yet
# written takes it: a database created with 4 KB pages keeps them (docs/operations.md).
PAGE_SIZE = 16_384


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # synchronous=FULL: in WAL mode NORMAL may lose the last commits on power loss, and an
    # acknowledged complaint must survive a crash.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before the first write, see above
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


# Marks a pooled connection whose foreign keys a large import switched off (storage.import_sqlite)
# until it has switched them on again and read them back.
FOREIGN_KEYS_OFF = "gongshi_foreign_keys_off"


def _never_without_foreign_keys(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    # Should the import have been stopped before it could switch them on (a task cancelled twice),
    # the connection is closed and a fresh one, with foreign keys on, is handed out instead.
    if record.info.get(FOREIGN_KEYS_OFF):
        raise DisconnectionError("foreign keys were left off on this connection")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # One trip to aiosqlite's thread per statement instead of four (sqlite_driver).
            kwargs["connect_args"] = {"async_creator_fn": connect} | kwargs.get("connect_args", {})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "checkout", _never_without_foreign_keys)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: committed when the block ends, rolled back if it raises."""
    async with sessions() as session, session.begin():
        yield session
