"""Exactly one process leads the scheduler.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own (an
engine without a pool, so closing it really ends the session and frees the lock). It checks
the connection every few seconds and stops leading the moment it is gone; the others try for
the lock every ``retry_seconds`` and one of them takes over once the leader's session ends,
which PostgreSQL notices as soon as the leader's process or connection dies.

On SQLite there is one process, and it leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# "gongshi" in ASCII: one key for the scheduler of every process of this database.
SCHEDULER_LOCK = 0x676F6E67736869

Callback = Callable[[], Awaitable[None]]


class Leadership:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        retry_seconds: float = 10.0,
        check_seconds: float = 5.0,
        key: int = SCHEDULER_LOCK,
    ) -> None:
        self.engine = engine
        self.retry_seconds = retry_seconds
        self.check_seconds = check_seconds
        self.key = key
        self.leading = False
        self.backend_pid: int | None = None

    async def run(self, stop: asyncio.Event, *, elected: Callback, deposed: Callback) -> None:
        """Lead whenever possible until ``stop``; ``elected`` and ``deposed`` start and stop
        the work only a leader does."""
        if self.engine.dialect.name != "postgresql":
            await self._lead_alone(stop, elected, deposed)
            return
        own = create_async_engine(self.engine.url, poolclass=NullPool)
        try:
            while not stop.is_set():
                await self._term(own, stop, elected, deposed)
                await _wait(stop, self.retry_seconds)
        finally:
            await own.dispose()

    async def _lead_alone(self, stop: asyncio.Event, elected: Callback, deposed: Callback) -> None:
        self.leading = True
        await elected()
        try:
            await stop.wait()
        finally:
            self.leading = False
            await deposed()

    async def _term(
        self, own: AsyncEngine, stop: asyncio.Event, elected: Callback, deposed: Callback
    ) -> None:
        """One attempt to lead, and the leadership it wins, until the connection fails."""
        connection: AsyncConnection | None = None
        try:
            connection = await own.connect()
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
            self.backend_pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            # The lock belongs to the session, not the transaction: end the transaction so the
            # connection is not left "idle in transaction".
            await connection.commit()
            if not got:
                return
            log.info("this process leads the scheduler")
            self.leading = True
            await elected()
            while not stop.is_set():
                await _wait(stop, self.check_seconds)
                await connection.execute(text("SELECT 1"))
                await connection.commit()
        except Exception as error:
            log.warning("scheduler leadership: %s", error)
        finally:
            if self.leading:
                self.leading = False
                log.info("this process no longer leads the scheduler")
                await deposed()
            if connection is not None:
                # Closing a pool-less connection ends the session, and with it the lock.
                with contextlib.suppress(Exception):
                    await connection.close()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
