"""SQLite's checkpoints in the background, so that no one's commit waits for one.

In WAL mode a commit appends its pages to the write-ahead log; a checkpoint copies them into
the database file. By default SQLite checkpoints inside the commit that takes the log past
1,000 pages, before that commit returns: a citizen's answer now and then waits for the pages
of everybody's commits before it, and a city's results import, whose one commit brings some
70 MB of pages, waits about 0.2 s more for them (measured here, commit 0.52 s with the
checkpoint and 0.30 s without).

The bot (``gongshi run``) therefore opens its database with SQLite's automatic checkpoints
off (``storage.db.make_engine(..., background_checkpoints=True)``) and runs ``keep_checkpointing``
beside the updates: every second, a passive checkpoint on a connection of its own, in the
driver's thread. A passive checkpoint takes no lock that a writer or a reader waits for; it
copies what every reader has moved past and leaves the rest for the next one. Durability does
not depend on it: each commit is synced to the log before it returns (synchronous=FULL).

Every other command (an import from the command line, a migration) keeps SQLite's own
checkpoints: it has no loop running beside it. PostgreSQL has none of this.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 1.0


@dataclass(frozen=True)
class Checkpoint:
    """What one checkpoint found: the pages in the log, and how many of them are now in the
    database file (fewer while a reader still needs older ones)."""

    log_pages: int
    copied_pages: int
    busy: bool


async def checkpoint(engine: AsyncEngine) -> Checkpoint | None:
    """A passive checkpoint now; None where there is nothing of the kind (PostgreSQL, or a
    SQLite database not in WAL mode)."""
    if engine.dialect.name != "sqlite":
        return None
    async with engine.connect() as connection:
        found = await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        busy, log_pages, copied = (int(value) for value in found.one())
    if log_pages < 0:
        return None
    return Checkpoint(log_pages, copied, bool(busy))


async def keep_checkpointing(
    engine: AsyncEngine, stop: asyncio.Event, every: float = CHECKPOINT_SECONDS
) -> None:
    """Checkpoints every ``every`` seconds until ``stop`` is set, and once more then; a
    failed one is logged and the next tried as usual."""
    if engine.dialect.name != "sqlite":
        return
    while True:
        try:
            await checkpoint(engine)
        except Exception:  # a full disk, say: logged, and the commits go on into the log
            log.exception("the database checkpoint failed")
        if stop.is_set():
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
