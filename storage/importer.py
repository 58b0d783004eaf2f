"""The import writer: rosters and results, checked, into the database in one transaction.

Reading a file lives in storage.sheet_reader (in a process of its own, storage.import_child);
the use case that reads, checks and writes is services.imports. Re-importing a file changes
nothing: values are compared and only real changes are written (storage.import_writer).

ID numbers and phones are stored only as keyed hashes and their last four characters, and never
appear in an exception, a log line or a report: rows are named by number and masked name.

A county file has a few thousand rows, but a whole city's can have a hundred thousand, so the
writing is done in bulk (storage.import_bulk): existing rows are loaded per chunk in a handful
of queries, compared in plain Python, and written with executemany.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.sheet import SheetRow
from messages import N_
from storage.import_bulk import CYCLE, UNIT, WORKER, Bulk
from storage.import_child import JOINED_MOST, STREAM_BATCH
from storage.import_hashing import keyed_hasher
from storage.import_sqlite import all_exist, import_transaction, roomy_cache
from storage.import_writer import REASON_CYCLE_CLOSED, BatchInfo, Writer
from storage.sheet_reader import (
    DEFAULT_MAX_MB,
    REASON_CORRUPT,
    REASON_EMPTY,
    REASON_MISSING_COLUMNS,
    REASON_NO_HEADER,
    REASON_NOT_A_FILE,
    REASON_NOT_FOUND,
    REASON_NOT_TEXT,
    REASON_PROTECTED,
    REASON_TOO_LARGE,
    ReadLimits,
    SheetError,
    find_header,
    load_file,
    parse_table,
    read_table,
)
from storage.xlsx_stream import cell_text

# Reading lives in storage.sheet_reader, writing in storage.import_writer; callers have always
# found these here.
__all__ = [
    "CHUNK",
    "DEFAULT_MAX_MB",
    "REASON_CONFLICT",
    "REASON_CORRUPT",
    "REASON_CYCLE_CLOSED",
    "REASON_EMPTY",
    "REASON_MISSING_COLUMNS",
    "REASON_NOT_A_FILE",
    "REASON_NOT_FOUND",
    "REASON_NOT_TEXT",
    "REASON_NO_DATA_ROWS",
    "REASON_NO_HEADER",
    "REASON_PROTECTED",
    "REASON_TOO_LARGE",
    "RESTING_CHUNK",
    "BatchInfo",
    "ReadLimits",
    "SheetError",
    "WriteOutcome",
    "cell_text",
    "find_header",
    "keyed_hasher",
    "load_file",
    "load_units",
    "parse_table",
    "read_table",
    "write_rows",
]

# The bulk writer under its former name, for code that reaches for it by that name.
_Bulk = Bulk

CHUNK = 5000  # rows per bulk statement; keys in an IN list stay under asyncpg's 32767 limit
# Rows per chunk of an import that rests after each (the bot's background import on
# PostgreSQL): the bot's event loop serves nobody while a chunk is planned and handed to the
# driver, so smaller chunks keep people's updates from waiting behind one. A 100,000-row import
# with rests on an idle machine (bench/hostile_files.py --postgres --rest 1.0 --largest-only):
# the loop's longest wait 76 and 79 ms, its 99th percentile 40-46 ms, with chunks of 5,000;
# 32-55 ms and 14-15 ms with 1,000; the import took 31-33 s and 39-40 s. Under load: see
# docs/operations.md (bench/under_load.py --postgres).
RESTING_CHUNK = 1000

REASON_NO_DATA_ROWS = N_("The file has a header row but no data rows below it.")
REASON_CONFLICT = N_(
    "Another import changed the same records at the same time; run this import again."
)


# Called in the import's transaction once every row is written, with the cycle (None for a
# roster), the workers whose result was added or changed, and the batch: what else the change
# calls for (a 公示 running) is written with it, or not at all.
AfterWrite = Callable[[AsyncSession, int | None, list[int], int | None], Awaitable[None]]


@dataclass(frozen=True)
class WriteOutcome:
    """What the writing did: rows created, updated and unchanged, and the batch (None when
    nothing changed, so no batch was recorded)."""

    created: int
    updated: int
    unchanged: int
    batch_id: int | None


async def load_units(session: AsyncSession) -> dict[str, int]:
    found = await session.execute(select(UNIT.c.name, UNIT.c.id))
    return {name: unit_id for name, unit_id in found}


async def write_rows(
    sessions: async_sessionmaker[AsyncSession],
    clean: list[SheetRow] | AsyncIterable[list[SheetRow]],
    *,
    secret_key: str,
    units: dict[str, int],
    batch: BatchInfo,
    now: datetime,
    cycle_year: int | None,
    advance: Callable[[int], None] | None = None,
    after: AfterWrite | None = None,
    expected_rows: int | None = None,
    rest: float = 0.0,
) -> WriteOutcome:
    """Every clean row written in one transaction, chunk by chunk: all of them or none.

    ``clean`` is the rows, or their batches as they are checked: the transaction opens with the
    first batch and commits after the last, so an exception the batches raise at their end (a
    row with a problem, found after others were written) leaves nothing behind. No rows at all
    is refused (SheetError), as are a closed cycle and another import writing the same records
    at once. ``advance`` is told how many rows each chunk wrote; ``expected_rows`` is how many
    the batches may hold at most. ``rest``: after each chunk (of RESTING_CHUNK rows then) the
    writer waits that many times as long as the chunk took, giving others the processor, except
    on SQLite, where the import holds the one write lock and a rest would keep everybody else
    waiting longer.
    """
    if isinstance(clean, list):
        expected_rows = len(clean)
        clean = _chunks(clean)
    try:
        with _collector_paused():
            writer = await _write(
                sessions,
                aiter(clean),
                secret_key=secret_key,
                units=units,
                batch=batch,
                now=now,
                cycle_year=cycle_year,
                advance=advance,
                after=after,
                expected_rows=expected_rows or 0,
                rest=rest,
            )
    except IntegrityError:
        # Not chained: the driver's message quotes the row's values.
        raise SheetError(REASON_CONFLICT) from None
    created, updated, unchanged = writer.counts
    return WriteOutcome(created, updated, unchanged, writer.batch_id)


async def _chunks(clean: list[SheetRow]) -> AsyncIterator[list[SheetRow]]:
    for start in range(0, len(clean), CHUNK):
        yield clean[start : start + CHUNK]


async def _write(
    sessions: async_sessionmaker[AsyncSession],
    batches: AsyncIterator[list[SheetRow]],
    *,
    secret_key: str,
    units: dict[str, int],
    batch: BatchInfo,
    now: datetime,
    cycle_year: int | None,
    advance: Callable[[int], None] | None,
    after: AfterWrite | None,
    expected_rows: int,
    rest: float,
) -> Writer:
    """Every clean row written in one transaction, chunk by chunk."""
    # The first batch before the transaction: nothing is held open while the file is read.
    rows = await anext(batches, None)
    if not rows:
        raise SheetError(REASON_NO_DATA_ROWS)
    async with import_transaction(sessions, expected_rows=expected_rows) as (session, unchecked):
        writer = Writer(
            session, secret_key=secret_key, units=units, batch=batch, now=now, chunk=CHUNK
        )
        connection = await session.connection()
        on_sqlite = connection.dialect.name == "sqlite"
        if on_sqlite:
            rest = 0.0
        async with roomy_cache(connection):
            await writer.start(cycle_year, expected_rows=expected_rows)
            # On SQLite batches that arrived together in one go, up to as many chunks as the
            # reading process's batches joined (storage.import_child.JOINED_MOST).
            joined = CHUNK * (JOINED_MOST // STREAM_BATCH)
            step = joined if on_sqlite else CHUNK if rest == 0 else RESTING_CHUNK
            while rows is not None:
                for start in range(0, len(rows), step):
                    began = time.perf_counter()
                    await writer.write(rows[start : start + step])
                    if rest > 0:
                        with _collector_resumed():
                            await _rest(rest * (time.perf_counter() - began))
                if advance is not None:
                    advance(len(rows))
                rows = await anext(batches, None)
            await writer.finish()
            if after is not None:
                await after(session, writer.cycle_id, writer.touched, writer.batch_id)
            if unchecked and not await _parents_exist(session, writer):
                raise SheetError(REASON_CONFLICT)
    return writer


async def _rest(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def _parents_exist(session: AsyncSession, writer: Writer) -> bool:
    """With foreign keys off (storage.import_sqlite): whether the parents the written rows refer
    to, and which the import neither wrote nor read holding the write lock, are still there."""
    if writer.batch_id is None:
        return True  # nothing was written
    connection = await session.connection()
    cycles = [] if writer.cycle_id is None else [writer.cycle_id]
    return (
        await all_exist(connection, UNIT, writer.unit_ids)
        and await all_exist(connection, WORKER, writer.read_unlocked)
        and await all_exist(connection, CYCLE, cycles)
    )


_pausing = 0  # the writes under way in this process that hold the collector off


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off for the block; reference counting goes on.

    Writing makes a few hundred thousand short-lived tuples, none in a cycle, while a hundred
    thousand checked rows wait to be written; the tuples trigger collections, and each
    collection of the oldest generation walks every row again: on a large file about a tenth of
    the import's time, spent finding no garbage. The collector runs again afterwards (unless it
    was off already, or another import in this process still writes) and collects whatever
    cycles the block left behind; it runs too while the writer rests (_collector_resumed).
    """
    global _pausing
    if not gc.isenabled() and not _pausing:
        yield  # off already, and not by an import: left as it is
        return
    _pausing += 1
    gc.disable()
    try:
        yield
    finally:
        _pausing -= 1
        if not _pausing:
            gc.enable()


@contextmanager
def _collector_resumed() -> Iterator[None]:
    """The collector running again for the block (a rest of the bot's background import, when
    no other write holds it off), so that in a long import the bot's own garbage is collected
    as it goes rather than in one long pass at the end."""
    if _pausing != 1 or gc.isenabled():
        yield
        return
    gc.enable()
    try:
        yield
    finally:
        if _pausing:
            gc.disable()
