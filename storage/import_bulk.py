"""The tables an import writes, and executemany of plain tuples into them."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Cycle, ImportBatch, Post, Result, Unit, Worker, WorkerChange

# Core tables rather than ORM objects: a hundred thousand ORM objects cost seconds and memory.
# Taken from the models themselves, so importing this module alone defines them.
UNIT: Table = Unit.__table__  # type: ignore[attr-defined]
WORKER: Table = Worker.__table__  # type: ignore[attr-defined]
POST: Table = Post.__table__  # type: ignore[attr-defined]
RESULT: Table = Result.__table__  # type: ignore[attr-defined]
CYCLE: Table = Cycle.__table__  # type: ignore[attr-defined]
BATCH: Table = ImportBatch.__table__  # type: ignore[attr-defined]
HISTORY: Table = WorkerChange.__table__  # type: ignore[attr-defined]

WORKER_NEW = ("name", "id_hash", "id_last4", "phone_hash", "phone_last4", "unit_id")
WORKER_CHANGE = ("name", "phone_hash", "phone_last4", "unit_id", "updated_at")
HISTORY_NEW = ("worker_id", "unit_id", "change", "on_day", "reason", "recorded_at")
HISTORY_JOINED = ("worker_id", "unit_id")  # a newcomer's "joined", the rest the same for all
POST_NEW = ("unit_id", "title", "worker_id")
POST_CHANGE = ("unit_id", "title", "worker_id")
RESULT_NEW = ("worker_id", "unit_id", "post_title", "grade", "renew", "remark")
RESULT_CHANGE = (
    "unit_id",
    "post_title",
    "grade",
    "renew",
    "remark",
    "import_batch_id",
    "updated_at",
)

# What the writer looks rows up by as it writes, once there are workers on record, beyond the
# tables' own UNIQUE constraints (a worker's post, and their result and basis of the year, are
# found through those, which stay): workers by the hash of their ID number, unless they are few
# and loaded whole (storage.import_known). Such an index stays during a large import
# (storage.import_sqlite).
SEARCHED = {"worker": ("id_hash",)}


def literal(value: object) -> str:
    """A constant as SQLite reads it in a statement, as the driver would have bound it: an
    integer (a boolean as 0 or 1), text, or NULL. Anything else is refused rather than guessed."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str) and "\0" not in value:
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQLite literal for {type(value).__name__}")


class Bulk:
    """executemany of plain tuples.

    On SQLite the tuples go straight to the driver: SQLAlchemy's per-row parameter processing
    costs more than SQLite's own work on a large file. Constants (timestamps, JSON) are therefore
    converted once through the column's own type, as SQLAlchemy would convert them. Other
    databases take the ordinary Core executemany.

    Columns with one value for every row (the batch, the cycle, the time of the import) are
    written into an INSERT once, as literals, rather than bound for each row: the driver's
    binding of each row's parameters costs more than SQLite's insert itself (100,000 results,
    13 parameters each: 0.49 s of the import's inserts).
    """

    def __init__(self, connection: AsyncConnection, *, chunk: int) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.raw = self.dialect.name == "sqlite"
        # SQLite before 3.32 allows only 999 parameters in one statement.
        self.max_keys = 900 if self.raw and sqlite3.sqlite_version_info < (3, 32) else chunk

    def constant(self, table: Table, column: str, value: object) -> object:
        if not self.raw:
            return value
        processor = table.c[column].type.dialect_impl(self.dialect).bind_processor(self.dialect)
        return processor(value) if processor else value

    async def insert(
        self,
        table: Table,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        fixed: Mapping[str, object] | None = None,
    ) -> None:
        """``rows`` hold the values of ``columns``; ``fixed``, converted by ``constant``, the
        value of further columns, the same in every row."""
        if not rows:
            return
        fixed = fixed or {}
        if self.raw:
            names = ", ".join([*columns, *fixed])
            marks = ", ".join(["?"] * len(columns) + [literal(v) for v in fixed.values()])
            sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
            await self.connection.exec_driver_sql(sql, rows)
        else:
            await self.connection.execute(
                insert(table), [dict(zip(columns, row, strict=True), **fixed) for row in rows]
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
