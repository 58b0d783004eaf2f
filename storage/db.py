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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # synchronous=FULL: in WAL mode NORMAL may lose the last commits on power loss, and an
    # acknowledged complaint must survive a crash.
    cursor = dbapi_connection.cursor()
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
