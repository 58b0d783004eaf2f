"""The one import of rosters and results: from a spreadsheet file to the database.

The command line calls it today and the chat upload will call it tomorrow. It reads XLSX and CSV,
finds the header, checks every row (domain.sheet), and only when every row is good writes
everything in one transaction. Re-importing a file changes nothing: values are compared and only
real changes are written; an import that changes nothing leaves no ImportBatch behind.

ID numbers and phones are stored only as keyed hashes and their last four characters, and never
appear in an exception, a log line or a report: rows are named by number and masked name.

A county file has a few thousand rows, but a whole city's can have a hundred thousand, so the
writing is done in bulk: existing rows are loaded per chunk in a handful of queries, compared in
plain Python, and written with executemany.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from domain.sheet import ImportKind, RowIssue, SheetRow
from messages import N_
from storage.db import transaction
from storage.import_child import DEFAULT_MEMORY_MB, CheckRequest, check_in_child
from storage.models import utcnow
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
    Source,
    find_header,
    load_file,
    parse_table,
    read_table,
)
from storage.xlsx_stream import cell_text

# Reading lives in storage.sheet_reader; callers have always found these here.
__all__ = [
    "DEFAULT_MAX_MB",
    "REASON_CORRUPT",
    "REASON_EMPTY",
    "REASON_MISSING_COLUMNS",
    "REASON_NOT_A_FILE",
    "REASON_NOT_FOUND",
    "REASON_NOT_TEXT",
    "REASON_NO_HEADER",
    "REASON_PROTECTED",
    "REASON_TOO_LARGE",
    "ImportReport",
    "ReadLimits",
    "SheetError",
    "cell_text",
    "find_header",
    "import_results",
    "import_roster",
    "keyed_hasher",
    "load_file",
    "parse_table",
    "read_table",
]


CHUNK = 5000  # rows per bulk statement; keys in an IN list stay under asyncpg's 32767 limit

REASON_NO_DATA_ROWS = N_("The file has a header row but no data rows below it.")
REASON_CYCLE_CLOSED = N_(
    "The {year} assessment is closed: its results are final and cannot be imported again."
)
REASON_CONFLICT = N_(
    "Another import changed the same records at the same time; run this import again."
)


@dataclass
class ImportReport:
    """What an import did, or why it did nothing. Rows are named by number and masked name."""

    kind: ImportKind
    ok: bool
    issues: list[RowIssue] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    batch_id: int | None = None
    already_imported: bool = False


Progress = Callable[[int, int], None]


# Importing -------------------------------------------------------------------------------------


async def import_results(
    *,
    sessions: async_sessionmaker[AsyncSession],
    secret_key: str,
    path: Source,
    cycle_year: int,
    imported_by: str = "cli",
    progress: Progress | None = None,
    filename: str | None = None,
    max_mb: int = DEFAULT_MAX_MB,
    today: date | None = None,
    now: datetime | None = None,
    only_unit: str | None = None,
    limits: ReadLimits | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> ImportReport:
    """Import a results file for the assessment of ``cycle_year``.

    Units must exist already. The cycle is created if missing; a closed cycle is refused. Each
    row creates or updates the worker, the post they hold and their result in the cycle.
    ``today`` (from the injected clock) lets ID numbers with a future birth date be refused.
    ``only_unit`` (a unit contact's upload) refuses rows of any other unit.
    """
    return await _import(
        kind="results",
        sessions=sessions,
        secret_key=secret_key,
        path=path,
        cycle_year=cycle_year,
        imported_by=imported_by,
        progress=progress,
        filename=filename,
        max_mb=max_mb,
        today=today,
        now=now,
        only_unit=only_unit,
        limits=limits,
        memory_mb=memory_mb,
    )


async def import_roster(
    *,
    sessions: async_sessionmaker[AsyncSession],
    secret_key: str,
    path: Source,
    imported_by: str = "cli",
    progress: Progress | None = None,
    filename: str | None = None,
    max_mb: int = DEFAULT_MAX_MB,
    today: date | None = None,
    now: datetime | None = None,
    limits: ReadLimits | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> ImportReport:
    """Import a roster: each row creates or updates a worker and the post they hold.

    Workers of a unit who are missing from the file are NOT removed: a roster file may cover part
    of a unit, and removing a worker is a decision with consequences (subsidies, quota) that
    nobody should take by leaving out a row.
    """
    return await _import(
        kind="roster",
        sessions=sessions,
        secret_key=secret_key,
        path=path,
        cycle_year=None,
        imported_by=imported_by,
        progress=progress,
        filename=filename,
        max_mb=max_mb,
        today=today,
        now=now,
        limits=limits,
        memory_mb=memory_mb,
    )


async def _import(
    *,
    kind: ImportKind,
    sessions: async_sessionmaker[AsyncSession],
    secret_key: str,
    path: Source,
    cycle_year: int | None,
    imported_by: str,
    progress: Progress | None,
    filename: str | None,
    max_mb: int,
    today: date | None,
    now: datetime | None,
    only_unit: str | None = None,
    limits: ReadLimits | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> ImportReport:
    if filename is None and isinstance(path, bytes):
        raise ValueError("bytes need a filename")
    name = filename or Path(cast("str | os.PathLike[str]", path)).name
    data = load_file(path, name, max_mb=max_mb)
    batch = _BatchInfo(kind, name[-255:], hashlib.sha256(data).hexdigest(), imported_by)
    async with sessions() as session:
        units = await _load_units(session)
    # Read and checked in a process of its own: a hostile file ends that process, not this one,
    # and the event loop goes on serving others meanwhile.
    request = CheckRequest(
        data=data,
        filename=name,
        kind=kind,
        known_units=tuple(units),
        today=today,
        only_unit=only_unit,
        limits=limits or ReadLimits(),
    )
    del data
    checked = await check_in_child(request, memory_mb=memory_mb)
    del request
    tick = _Ticker(progress, 2 * checked.data_rows)
    tick.advance(checked.data_rows)
    clean = checked.clean
    report = ImportReport(
        kind=kind, ok=False, ignored_columns=list(checked.ignored_columns), rows=checked.rows
    )
    if checked.issues:
        report.issues = checked.issues
        return report
    if not clean:
        raise SheetError(REASON_NO_DATA_ROWS)
    try:
        with _collector_paused():
            writer = await _write(
                sessions,
                clean,
                secret_key=secret_key,
                units=units,
                batch=batch,
                now=now or utcnow(),
                cycle_year=cycle_year,
                tick=tick,
            )
    except IntegrityError:
        # Not chained: the driver's message quotes the row's values.
        raise SheetError(REASON_CONFLICT) from None
    tick.finish()
    report.ok = True
    report.created, report.updated, report.unchanged = writer.counts
    report.batch_id = writer.batch_id
    report.already_imported = writer.batch_id is None
    return report


async def _write(
    sessions: async_sessionmaker[AsyncSession],
    clean: list[SheetRow],
    *,
    secret_key: str,
    units: dict[str, int],
    batch: _BatchInfo,
    now: datetime,
    cycle_year: int | None,
    tick: _Ticker,
) -> _Writer:
    """Every clean row written in one transaction, chunk by chunk."""
    async with transaction(sessions) as session:
        writer = _Writer(session, secret_key=secret_key, units=units, batch=batch, now=now)
        async with writer.roomy_cache():
            await writer.start(cycle_year)
            for start in range(0, len(clean), CHUNK):
                await writer.write(clean[start : start + CHUNK])
                tick.advance(len(clean[start : start + CHUNK]))
            await writer.finish()
    return writer


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off for the block; reference counting goes on.

    Writing makes a few hundred thousand short-lived tuples, none in a cycle, while a hundred
    thousand checked rows wait to be written; the tuples trigger collections, and each
    collection of the oldest generation walks every row again: on a large file about a tenth of
    the import's time, spent finding no garbage. The collector runs again afterwards (unless it
    was off already) and collects whatever cycles the block left behind.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Ticker:
    """Progress in rows: every row is counted once when checked and once when written."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        self.advance(self.total - self.done)


async def _load_units(session: AsyncSession) -> dict[str, int]:
    found = await session.execute(select(UNIT.c.name, UNIT.c.id))
    return {name: unit_id for name, unit_id in found}


# Writing ---------------------------------------------------------------------------------------

# Core tables rather than ORM objects: a hundred thousand ORM objects cost seconds and memory.
UNIT = SQLModel.metadata.tables["unit"]
WORKER = SQLModel.metadata.tables["worker"]
POST = SQLModel.metadata.tables["post"]
RESULT = SQLModel.metadata.tables["result"]
CYCLE = SQLModel.metadata.tables["cycle"]
BATCH = SQLModel.metadata.tables["import_batch"]

WORKER_NEW = ("name", "id_hash", "id_last4", "phone_hash", "phone_last4", "unit_id")
WORKER_NEW_FIXED = ("status", "created_at", "updated_at")
WORKER_CHANGE = ("name", "phone_hash", "phone_last4", "unit_id", "updated_at")
POST_NEW = ("unit_id", "title", "worker_id", "created_at")
POST_CHANGE = ("unit_id", "title", "worker_id")
RESULT_NEW = ("worker_id", "unit_id", "post_title", "grade", "renew", "remark")
RESULT_NEW_FIXED = (
    "cycle_id",
    "status",
    "renewal_blocked",
    "subsidy_stopped",
    "findings",
    "import_batch_id",
    "updated_at",
)
RESULT_CHANGE = (
    "unit_id",
    "post_title",
    "grade",
    "renew",
    "remark",
    "import_batch_id",
    "updated_at",
)


@dataclass
class _BatchInfo:
    kind: ImportKind
    file_name: str
    sha256: str
    imported_by: str


@dataclass(slots=True)
class _WorkerNow:
    id: int
    name: str
    phone_hash: str | None
    phone_last4: str | None
    unit_id: int


@dataclass(slots=True)
class _PostNow:
    id: int
    unit_id: int
    title: str


@dataclass(slots=True)
class _ResultNow:
    id: int
    unit_id: int
    post_title: str
    grade: str
    renew: bool
    remark: str


# HMAC (RFC 2104) over SHA-256 works on 64-byte blocks: the key is padded to a block, or hashed
# first when longer, and mixed into an inner and an outer hash with these two constants.
_BLOCK = 64
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


def keyed_hasher(secret_key: str, kind: str) -> Callable[[str], str]:
    """``storage.identity.keyed_hash`` with the key set up once, for a hundred thousand rows.

    The same HMAC-SHA256 as ``hmac.new``, with the keyed inner and outer hashes prepared once and
    copied for each value: hmac's own copy() runs in Python and costs more than the hashing.
    """
    key = secret_key.encode()
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(key.translate(_INNER_PAD))
    inner.update(f"{kind}:".encode())
    outer = hashlib.sha256(key.translate(_OUTER_PAD))
    inner_copy, outer_copy = inner.copy, outer.copy

    def digest(value: str) -> str:
        hashed = inner_copy()
        hashed.update(value.encode())
        mac = outer_copy()
        mac.update(hashed.digest())
        return mac.hexdigest()

    return digest


class _Bulk:
    """executemany of plain tuples.

    On SQLite the tuples go straight to the driver: SQLAlchemy's per-row parameter processing
    costs more than SQLite's own work on a large file. Constants (timestamps, JSON) are therefore
    converted once through the column's own type, as SQLAlchemy would convert them. Other
    databases take the ordinary Core executemany.
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.raw = self.dialect.name == "sqlite"
        # SQLite before 3.32 allows only 999 parameters in one statement.
        self.max_keys = 900 if self.raw and sqlite3.sqlite_version_info < (3, 32) else CHUNK

    def constant(self, table: Table, column: str, value: object) -> object:
        if not self.raw:
            return value
        processor = table.c[column].type.dialect_impl(self.dialect).bind_processor(self.dialect)
        return processor(value) if processor else value

    async def insert(
        self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        if self.raw:
            names = ", ".join(columns)
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
            await self.connection.exec_driver_sql(sql, rows)
        else:
            await self.connection.execute(
                insert(table), [dict(zip(columns, row, strict=True)) for row in rows]
            )

    async def select_in(
        self,
        table: Table,
        columns: Sequence[str],
        key: str,
        keys: Sequence[object],
        **equal: object,
    ) -> list[tuple[Any, ...]]:
        """``columns`` of the rows whose ``key`` is one of ``keys`` (and other columns equal)."""
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), self.max_keys):
            some = keys[start : start + self.max_keys]
            if self.raw:
                conditions = [f"{key} IN ({', '.join('?' * len(some))})"]
                conditions += [f"{column} = ?" for column in equal]
                where = " AND ".join(conditions)
                sql = f"SELECT {', '.join(columns)} FROM {table.name} WHERE {where}"
                rows = await self.connection.exec_driver_sql(sql, (*some, *equal.values()))
            else:
                rows = await self.connection.execute(
                    select(*(table.c[column] for column in columns)).where(
                        table.c[key].in_(some), *(table.c[c] == v for c, v in equal.items())
                    )
                )
            found.extend(tuple(row) for row in rows)
        return found

    async def last_id(self, table: Table) -> int | None:
        """The highest primary key in ``table``, None when it is empty."""
        found = await self.connection.execute(select(func.max(table.c.id)))
        last = found.scalar()
        return None if last is None else int(last)

    async def numbered_in_order(self, table: Table, last: int | None, count: int) -> range | None:
        """The keys SQLite gave the ``count`` rows just inserted one by one, in their order,
        when it numbered them as it documents: each new row one above the highest key in the
        table. None when that cannot be confirmed (or on other databases).

        Checked, not assumed: exactly ``count`` rows lie above ``last`` and their keys are
        ``last + 1`` to ``last + count``, so each row took the next number in turn."""
        if not self.raw:
            return None
        first = (last or 0) + 1
        found = await self.connection.exec_driver_sql(
            f"SELECT count(*), min(id), max(id) FROM {table.name} WHERE id >= ?", (first,)
        )
        if tuple(found.one()) != (count, first, first + count - 1):
            return None
        return range(first, first + count)

    async def select_after(
        self, table: Table, columns: Sequence[str], last: int | None
    ) -> list[tuple[Any, ...]]:
        """``columns`` of the rows whose primary key is above ``last`` (every row if None)."""
        statement = select(*(table.c[column] for column in columns))
        if last is not None:
            statement = statement.where(table.c.id > last)
        return [tuple(row) for row in await self.connection.execute(statement)]

    async def update(
        self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        """Each row is the new values of ``columns`` followed by the primary key."""
        if not rows:
            return
        if self.raw:
            assignments = ", ".join(f"{column} = ?" for column in columns)
            sql = f"UPDATE {table.name} SET {assignments} WHERE id = ?"
            await self.connection.exec_driver_sql(sql, rows)
        else:
            # Bound names must differ from column names in an UPDATE's SET clause.
            statement = (
                update(table)
                .where(table.c.id == bindparam("key_id"))
                .values({column: bindparam(f"new_{column}") for column in columns})
            )
            keys = [f"new_{column}" for column in columns] + ["key_id"]
            await self.connection.execute(
                statement, [dict(zip(keys, row, strict=True)) for row in rows]
            )


class _Writer:
    """Writes checked rows chunk by chunk inside the import's transaction."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        secret_key: str,
        units: dict[str, int],
        batch: _BatchInfo,
        now: datetime,
    ) -> None:
        self.session = session
        self.units = units
        self.batch = batch
        self.now = now
        self.id_hash = keyed_hasher(secret_key, "id")
        self.phone_hash = keyed_hasher(secret_key, "phone")
        self.cycle_id: int | None = None
        self.batch_id: int | None = None
        self.created = self.updated = self.unchanged = 0
        self.vacant: dict[tuple[int, str], list[int]] = {}
        # False when the worker table was empty as the import began: nobody in the file can be
        # on record then (the file holds each person once), so no chunk needs looking up.
        self.had_workers = True
        self._bulk: _Bulk | None = None
        self._stamp: object = now

    @property
    def bulk(self) -> _Bulk:
        assert self._bulk is not None, "start() first"
        return self._bulk

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.created, self.updated, self.unchanged

    @asynccontextmanager
    async def roomy_cache(self) -> AsyncIterator[None]:
        """A 64 MB SQLite page cache while importing, for this connection only.

        Keyed hashes land at random places in their indexes, and with SQLite's default 2 MB
        cache a large import mostly waits on the disk.
        """
        connection = await self.session.connection()
        if connection.dialect.name != "sqlite":
            yield
            return
        before = (await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one()
        await connection.exec_driver_sql("PRAGMA cache_size = -65536")
        try:
            yield
        finally:
            # The connection goes back to the pool: it must not keep 64 MB for good. After a
            # failed statement the reset may fail too; the rollback matters more.
            with suppress(SQLAlchemyError):
                await connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")

    async def start(self, cycle_year: int | None) -> None:
        self._bulk = _Bulk(await self.session.connection())
        self._stamp = self.bulk.constant(WORKER, "updated_at", self.now)
        self.had_workers = await self.bulk.last_id(WORKER) is not None
        await self._load_vacant_posts()
        if cycle_year is not None:
            await self.use_cycle(cycle_year)

    async def finish(self) -> None:
        if self.batch_id is not None:
            await self.session.execute(
                update(BATCH)
                .where(BATCH.c.id == self.batch_id)
                .values(
                    rows=self.created + self.updated + self.unchanged,
                    created=self.created,
                    updated=self.updated,
                    unchanged=self.unchanged,
                )
            )

    async def use_cycle(self, year: int) -> None:
        found = (
            await self.session.execute(
                select(CYCLE.c.id, CYCLE.c.state).where(CYCLE.c.year == year)
            )
        ).first()
        if found is None:
            inserted = await self.session.execute(
                insert(CYCLE)
                .values(year=year, state="assessing", settings={}, created_at=self.now)
                .returning(CYCLE.c.id)
            )
            self.cycle_id = int(inserted.scalar_one())
        elif found.state == "closed":
            raise SheetError(REASON_CYCLE_CLOSED, year=str(year))
        else:
            self.cycle_id = int(found.id)

    async def _batch(self) -> int:
        """The ImportBatch row, written only once something is about to change."""
        if self.batch_id is None:
            inserted = await self.session.execute(
                insert(BATCH)
                .values(
                    kind=self.batch.kind,
                    file_name=self.batch.file_name,
                    file_sha256=self.batch.sha256,
                    cycle_id=self.cycle_id,
                    imported_by=self.batch.imported_by,
                    imported_at=self.now,
                    rows=0,
                    created=0,
                    updated=0,
                    unchanged=0,
                )
                .returning(BATCH.c.id)
            )
            self.batch_id = int(inserted.scalar_one())
        return self.batch_id

    async def _load_vacant_posts(self) -> None:
        found = await self.session.execute(
            select(POST.c.id, POST.c.unit_id, POST.c.title)
            .where(POST.c.worker_id.is_(None))
            .order_by(POST.c.id)
        )
        for post_id, unit_id, title in found:
            self.vacant.setdefault((unit_id, title), []).append(post_id)

    async def write(self, rows: Sequence[SheetRow]) -> None:
        plan = _Plan()
        id_hash = self.id_hash
        keyed = [(row, id_hash(row.id_number)) for row in rows]
        newcomers = await self._plan_known(plan, keyed) if self.had_workers else keyed
        new_ids = await self._insert_workers(newcomers)
        self._plan_newcomers(plan, newcomers, new_ids)
        await self._flush(plan)

    async def _plan_known(
        self, plan: _Plan, keyed: list[tuple[SheetRow, str]]
    ) -> list[tuple[SheetRow, str]]:
        """Plans the changes to workers on record; the rows of people not on record come back."""
        workers = await self._workers([id_hash for _, id_hash in keyed])
        worker_ids = [worker.id for worker in workers.values()]
        posts = await self._posts(worker_ids)
        results = await self._results(worker_ids)
        newcomers: list[tuple[SheetRow, str]] = []
        for row, id_hash in keyed:
            worker = workers.get(id_hash)
            if worker is None:
                newcomers.append((row, id_hash))
                continue
            worker_changed = self._plan_worker(plan, row, worker)
            post_changed = self._plan_post(plan, row, worker.id, posts.get(worker.id))
            result = self._plan_result(plan, row, worker.id, results.get(worker.id))
            if result == "new":
                self.created += 1
            elif worker_changed or post_changed or result == "changed":
                self.updated += 1
            else:
                self.unchanged += 1
        return newcomers

    def _plan_newcomers(
        self, plan: _Plan, newcomers: list[tuple[SheetRow, str]], new_ids: dict[str, int]
    ) -> None:
        """_plan_post and _plan_result for workers who have neither yet, in one loop: a first
        import consists of nothing else."""
        units, vacant, stamp = self.units, self.vacant, self._stamp
        with_results = self.cycle_id is not None
        post_changes, new_posts, new_results = plan.post_changes, plan.new_posts, plan.new_results
        for row, id_hash in newcomers:
            worker_id = new_ids[id_hash]
            unit_id = units[row.unit]
            spare = vacant.get((unit_id, row.post)) if vacant else None
            if spare:
                post_changes.append((unit_id, row.post, worker_id, spare.pop(0)))
            else:
                new_posts.append((unit_id, row.post, worker_id, stamp))
            if with_results and row.grade is not None and row.renew is not None:
                new_results.append(
                    (worker_id, unit_id, row.post, row.grade.value, row.renew, row.remark)
                )
        self.created += len(newcomers)

    def _phone(self, row: SheetRow) -> tuple[str | None, str | None]:
        if row.phone is None:
            return None, None
        return self.phone_hash(row.phone), row.phone[-4:]

    def _plan_worker(self, plan: _Plan, row: SheetRow, worker: _WorkerNow) -> bool:
        phone_hash, phone_last4 = self._phone(row)
        if phone_hash is None:  # an empty phone cell keeps the phone on record
            phone_hash, phone_last4 = worker.phone_hash, worker.phone_last4
        unit_id = self.units[row.unit]
        new = (row.name, phone_hash, phone_last4, unit_id)
        if new == (worker.name, worker.phone_hash, worker.phone_last4, worker.unit_id):
            return False
        plan.worker_changes.append((*new, self._stamp, worker.id))
        return True

    def _plan_post(self, plan: _Plan, row: SheetRow, worker_id: int, post: _PostNow | None) -> bool:
        """The worker's post follows the row: their own post is corrected, else a vacant post of
        the unit with that title is taken, else a post is created."""
        unit_id = self.units[row.unit]
        if post is not None:
            if (post.unit_id, post.title) == (unit_id, row.post):
                return False
            plan.post_changes.append((unit_id, row.post, worker_id, post.id))
            return True
        vacant = self.vacant.get((unit_id, row.post))
        if vacant:
            plan.post_changes.append((unit_id, row.post, worker_id, vacant.pop(0)))
        else:
            plan.new_posts.append((unit_id, row.post, worker_id, self._stamp))
        return True

    def _plan_result(
        self, plan: _Plan, row: SheetRow, worker_id: int, result: _ResultNow | None
    ) -> Literal["new", "changed", "same"]:
        if self.cycle_id is None or row.grade is None or row.renew is None:
            return "same"  # a roster row has no result
        unit_id = self.units[row.unit]
        grade = row.grade.value
        if result is None:
            plan.new_results.append((worker_id, unit_id, row.post, grade, row.renew, row.remark))
            return "new"
        new = (unit_id, row.post, grade, row.renew, row.remark)
        if new == (result.unit_id, result.post_title, result.grade, result.renew, result.remark):
            return "same"
        plan.result_changes.append((*new, result.id))
        return "changed"

    async def _workers(self, id_hashes: list[str]) -> dict[str, _WorkerNow]:
        if not self.had_workers:
            return {}
        columns = ("id_hash", "id", "name", "phone_hash", "phone_last4", "unit_id")
        found = await self.bulk.select_in(WORKER, columns, "id_hash", id_hashes)
        return {row[0]: _WorkerNow(*row[1:]) for row in found}

    async def _posts(self, worker_ids: list[int]) -> dict[int, _PostNow]:
        columns = ("worker_id", "id", "unit_id", "title")
        found = await self.bulk.select_in(POST, columns, "worker_id", worker_ids)
        return {row[0]: _PostNow(*row[1:]) for row in found}

    async def _results(self, worker_ids: list[int]) -> dict[int, _ResultNow]:
        if self.cycle_id is None:
            return {}
        columns = ("worker_id", "id", "unit_id", "post_title", "grade", "renew", "remark")
        found = await self.bulk.select_in(
            RESULT, columns, "worker_id", worker_ids, cycle_id=self.cycle_id
        )
        # SQLite hands booleans back as 0 and 1.
        return {
            row[0]: _ResultNow(row[1], row[2], row[3], row[4], bool(row[5]), row[6])
            for row in found
        }

    async def _insert_workers(self, newcomers: list[tuple[SheetRow, str]]) -> dict[str, int]:
        """Inserts new workers and reads their ids back in one query."""
        if not newcomers:
            return {}
        await self._batch()
        units, phone_hash, stamp = self.units, self.phone_hash, self._stamp
        rows = [
            (
                row.name,
                id_hash,
                row.id_number[-4:],
                None if row.phone is None else phone_hash(row.phone),
                None if row.phone is None else row.phone[-4:],
                units[row.unit],
                "on_duty",
                stamp,
                stamp,
            )
            for row, id_hash in newcomers
        ]
        last = await self.bulk.last_id(WORKER)
        await self.bulk.insert(WORKER, WORKER_NEW + WORKER_NEW_FIXED, rows)
        wanted = [id_hash for _, id_hash in newcomers]
        numbered = await self.bulk.numbered_in_order(WORKER, last, len(rows))
        if numbered is not None:
            return dict(zip(wanted, numbered, strict=True))
        # New rows get keys above the highest one: reading those back is one range scan, where
        # looking up each key hash would be thousands of index searches. Should the database have
        # numbered them otherwise (or another import's rows show up), the hashes are looked up.
        found = await self.bulk.select_after(WORKER, ("id_hash", "id"), last)
        ours = set(wanted)
        ids = {id_hash: worker_id for id_hash, worker_id in found if id_hash in ours}
        if len(ids) != len(wanted):
            found = await self.bulk.select_in(WORKER, ("id_hash", "id"), "id_hash", wanted)
            ids = dict(found)
        return ids

    async def _flush(self, plan: _Plan) -> None:
        if plan.empty:
            return
        batch_id = await self._batch()
        await self.bulk.update(WORKER, WORKER_CHANGE, plan.worker_changes)
        await self.bulk.update(POST, POST_CHANGE, plan.post_changes)
        await self.bulk.insert(POST, POST_NEW, plan.new_posts)
        if plan.new_results:
            fixed = (
                self.cycle_id,
                "pending",
                False,
                False,
                self.bulk.constant(RESULT, "findings", []),
                batch_id,
                self._stamp,
            )
            rows = [values + fixed for values in plan.new_results]
            await self.bulk.insert(RESULT, RESULT_NEW + RESULT_NEW_FIXED, rows)
        changes = [
            (*values[:-1], batch_id, self._stamp, values[-1]) for values in plan.result_changes
        ]
        await self.bulk.update(RESULT, RESULT_CHANGE, changes)


@dataclass
class _Plan:
    """The writes one chunk needs, as tuples in the column order of the constants above."""

    worker_changes: list[tuple[Any, ...]] = field(default_factory=list)
    post_changes: list[tuple[Any, ...]] = field(default_factory=list)
    new_posts: list[tuple[Any, ...]] = field(default_factory=list)
    new_results: list[tuple[Any, ...]] = field(default_factory=list)
    result_changes: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.worker_changes
            or self.post_changes
            or self.new_posts
            or self.new_results
            or self.result_changes
        )
