"""A large import on SQLite runs with foreign keys off on a connection of its own and confirms
before committing what they would have checked (storage.import_sqlite): the rows it writes
satisfy every foreign key, a parent removed meanwhile refuses the import as a conflict, and no
connection goes back to the pool with foreign keys off."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

import pytest
from sheets import HEADER, UNITS, add_units, id_number, phone, result_rows
from sqlalchemy import text
from test_import_sqlite import database_file
from test_importer import counts, results

from domain.grades import Grade
from domain.sheet import SheetRow
from storage import import_sqlite, import_writer, importer
from storage.db import FOREIGN_KEYS_OFF
from storage.import_sqlite import DEFER_FROM_ROWS, import_transaction
from storage.importer import REASON_CONFLICT, BatchInfo, SheetError, write_rows

T1 = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)
TABLES = ("worker", "post", "result", "worker_change", "result_basis", "import_batch")


def row(n: int, *, unit: int | None = None) -> SheetRow:
    return SheetRow(
        row=n + 2,
        unit=UNITS[n % len(UNITS) if unit is None else unit],
        name=f"张{n}",
        id_number=id_number(n),
        phone=phone(n),
        post="保洁员",
        grade=Grade.PASS,
        renew=True,
        remark="",
    )


async def batches_of(rows: Sequence[SheetRow], size: int) -> AsyncIterator[list[SheetRow]]:
    for start in range(0, len(rows), size):
        yield list(rows[start : start + size])


async def write(
    storage,
    units: dict[str, int],
    batches: AsyncIterator[list[SheetRow]],
    *,
    large: bool,
    after: importer.AfterWrite | None = None,
) -> importer.WriteOutcome:
    """The rows written as the reading process would hand them over; ``large`` declares as
    many rows as make an import large, whatever the batches hold."""
    return await write_rows(
        storage.sessions,
        batches,
        secret_key=storage.settings.secret_key.get_secret_value(),
        units=units,
        batch=BatchInfo("results", "results.xlsx", "0" * 64, "test"),
        now=T1,
        cycle_year=2026,
        after=after,
        expected_rows=DEFER_FROM_ROWS if large else DEFER_FROM_ROWS - 1,
    )


@pytest.fixture
def switched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, bool]]:
    """Each switch of foreign keys: the driver connection it was made on, and on or off."""
    seen: list[tuple[object, bool]] = []
    real = import_sqlite._set_foreign_keys

    async def spy(connection, *, on: bool) -> bool:  # type: ignore[no-untyped-def]
        seen.append(((await connection.get_raw_connection()).driver_connection, on))
        return await real(connection, on=on)

    monkeypatch.setattr(import_sqlite, "_set_foreign_keys", spy)
    return seen


async def every_pooled_connection(storage) -> list[tuple[object, int]]:
    """Every connection the pool holds, all checked out at once (and one more, new): its driver
    connection and its foreign_keys setting."""
    found = []
    async with AsyncExitStack() as stack:
        for _ in range(storage.engine.pool.checkedin() + 1):
            connection = await stack.enter_async_context(storage.engine.connect())
            setting = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
            found.append(((await connection.get_raw_connection()).driver_connection, setting))
    return found


def violations(storage) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database_file(storage)) as connection:
        found = []
        for table in TABLES:
            found += connection.execute(f"PRAGMA foreign_key_check({table})").fetchall()
        return found


def meanwhile(storage, statements: Sequence[str]) -> None:
    """Statements of another program, in a transaction of its own (foreign keys off, sqlite3's
    default)."""
    with sqlite3.connect(database_file(storage)) as connection:
        for statement in statements:
            connection.execute(statement)


# The switch -----------------------------------------------------------------------------------


def remove_before_the_first_write(
    storage, monkeypatch: pytest.MonkeyPatch, name: str
) -> list[import_writer.Writer]:
    """Just before the import's first write, another connection removes the worker ``name`` and
    their rows; the writers that got there come back."""
    real = import_writer.Writer._batch
    writers: list[import_writer.Writer] = []

    async def removed_meanwhile(self: import_writer.Writer) -> int:
        if self.batch_id is None:
            writers.append(self)
            worker = f"(SELECT id FROM worker WHERE name = '{name}')"
            tables = ("worker_change", "result", "post")
            children = [f"DELETE FROM {table} WHERE worker_id = {worker}" for table in tables]
            meanwhile(storage, [*children, f"DELETE FROM worker WHERE id = {worker}"])
        return await real(self)

    monkeypatch.setattr(import_writer.Writer, "_batch", removed_meanwhile)
    return writers


async def test_foreign_keys_are_off_in_a_large_import_and_on_in_a_small_one(storage):
    units = await add_units(storage)
    seen: list[int] = []

    async def read_setting(session, *_: object) -> None:
        seen.append((await session.execute(text("PRAGMA foreign_keys"))).scalar_one())

    large = [row(n) for n in range(30)]
    await write(storage, units, batches_of(large, 10), large=True, after=read_setting)
    small = [row(n) for n in range(30, 40)]
    await write(storage, units, batches_of(small, 10), large=False, after=read_setting)

    assert seen == [0, 1]


async def test_after_a_large_import_every_pooled_connection_checks_foreign_keys(
    storage, units, sheet_files, switched, monkeypatch
):
    monkeypatch.setattr(import_sqlite, "DEFER_FROM_ROWS", 1)
    report = await results(storage, sheet_files.xlsx([HEADER, *result_rows(40)]))

    assert report.ok and report.created == 40
    (ours, off), (again, on) = switched
    assert ours is again and (off, on) == (False, True)
    pooled = await every_pooled_connection(storage)
    assert ours in [driver for driver, _ in pooled]
    assert [setting for _, setting in pooled] == [1] * len(pooled)


async def test_after_a_large_import_failing_at_its_end_nothing_is_written_and_keys_are_on(
    storage, switched
):
    units = await add_units(storage)
    before = await counts(storage)

    async def two_batches_then_a_problem() -> AsyncIterator[list[SheetRow]]:
        yield [row(n) for n in range(20)]
        yield [row(n) for n in range(20, 40)]
        raise RuntimeError("the reading process found a bad row")

    with pytest.raises(RuntimeError):
        await write(storage, units, two_batches_then_a_problem(), large=True)

    assert await counts(storage) == before
    (ours, _), _ = switched
    pooled = await every_pooled_connection(storage)
    assert ours in [driver for driver, _ in pooled]
    assert [setting for _, setting in pooled] == [1] * len(pooled)


async def test_only_sqlite_switches_them_off(any_storage):
    """On PostgreSQL a large import's transaction is the ordinary one."""
    async with import_transaction(any_storage.sessions, expected_rows=10**6) as (_, unchecked):
        assert unchecked is (any_storage.engine.dialect.name == "sqlite")


# What they would have checked ---------------------------------------------------------------


async def test_the_rows_of_large_imports_satisfy_every_foreign_key(storage, switched):
    units = await add_units(storage)
    first = [row(n) for n in range(60)]
    await write(storage, units, batches_of(first, 25), large=True)
    # Again, with people moving to another unit, others leaving their posts and newcomers.
    leaving = "SELECT id FROM worker WHERE name IN ('张1', '张2')"
    meanwhile(storage, [f"UPDATE post SET worker_id = NULL WHERE worker_id IN ({leaving})"])
    moved = [row(n, unit=(n + 1) % len(UNITS)) if n % 4 == 0 else row(n) for n in range(1, 90)]
    outcome = await write(storage, units, batches_of(moved, 25), large=True)

    assert (outcome.created, outcome.updated) == (30, 16)
    assert [on for _, on in switched] == [False, True, False, True]
    assert violations(storage) == []


async def test_a_unit_removed_after_the_units_were_loaded_refuses_a_large_import(storage):
    units = await add_units(storage)  # loaded, as the import loads them before its transaction
    meanwhile(storage, [f"DELETE FROM unit WHERE id = {units[UNITS[2]]}"])
    before = await counts(storage)

    with pytest.raises(SheetError) as refused:
        await write(storage, units, batches_of([row(n) for n in range(30)], 10), large=True)

    assert refused.value.reason == REASON_CONFLICT
    assert await counts(storage) == before


async def test_a_worker_removed_after_the_import_read_them_refuses_a_large_import(
    storage, monkeypatch
):
    """Read before the import's first write, the worker was outside its transaction."""
    units = await add_units(storage)
    await write(storage, units, batches_of([row(n) for n in range(6)], 6), large=False)
    remove_before_the_first_write(storage, monkeypatch, "张0")
    before = await counts(storage)
    moves = [row(0, unit=1), *(row(n) for n in range(1, 6))]  # 张0 moves: a leave and a join

    with pytest.raises(SheetError) as refused:
        await write(storage, units, batches_of(moves, 6), large=True)

    assert refused.value.reason == REASON_CONFLICT
    assert await counts(storage) == {**before, "Worker": 5, "Post": 5, "Result": 5}
    assert violations(storage) == []


async def test_a_worker_loaded_before_the_first_write_and_met_later_is_confirmed_too(
    storage, monkeypatch
):
    """The few workers on record are loaded whole before the first write (storage.import_known):
    one removed meanwhile, whose row comes only in a later chunk, still refuses the import."""
    units = await add_units(storage)
    await write(storage, units, batches_of([row(n) for n in range(6)], 6), large=False)
    writers = remove_before_the_first_write(storage, monkeypatch, "张0")
    before = await counts(storage)
    later = [*(row(n) for n in range(1, 6)), row(0, unit=1), row(6)]  # 张0 in the second chunk

    with pytest.raises(SheetError) as refused:
        await write(storage, units, batches_of(later, 3), large=True)

    assert refused.value.reason == REASON_CONFLICT
    assert await counts(storage) == {**before, "Worker": 5, "Post": 5, "Result": 5}
    assert violations(storage) == []
    on_record = writers[0].on_record
    assert on_record is not None and len(on_record) == 6  # loaded whole, 张0 among them


async def test_without_the_check_a_removed_unit_would_leave_rows_behind(storage, monkeypatch):
    """The refusal above is the check's: foreign keys were indeed off."""

    async def trusting(*_: object) -> bool:
        return True

    monkeypatch.setattr(importer, "_parents_exist", trusting)
    units = await add_units(storage)
    meanwhile(storage, [f"DELETE FROM unit WHERE id = {units[UNITS[2]]}"])

    await write(storage, units, batches_of([row(n) for n in range(30)], 10), large=True)

    assert {found[0] for found in violations(storage)} == {
        "worker",
        "post",
        "result",
        "worker_change",
    }


# Never reused with them off -----------------------------------------------------------------


@pytest.mark.parametrize("failure", ["reads back off", "raises"])
async def test_a_connection_whose_keys_cannot_be_switched_on_again_is_not_reused(
    storage, monkeypatch, failure
):
    real = import_sqlite._set_foreign_keys
    used: list[Any] = []

    async def stuck_off(connection, *, on: bool) -> bool:  # type: ignore[no-untyped-def]
        used.append((await connection.get_raw_connection()).driver_connection)
        if not on:
            return await real(connection, on=on)
        if failure == "raises":
            raise sqlite3.OperationalError("disk I/O error")
        # As if the statement did nothing: they read back off.
        setting = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
        await connection.commit()
        return bool(setting)

    monkeypatch.setattr(import_sqlite, "_set_foreign_keys", stuck_off)
    units = await add_units(storage)

    outcome = await write(storage, units, batches_of([row(n) for n in range(30)], 10), large=True)

    assert outcome.created == 30  # committed before the switch back
    ours, again = used
    assert ours is again and ours._connection is None  # closed
    pooled = await every_pooled_connection(storage)
    assert ours not in [driver for driver, _ in pooled]
    assert [setting for _, setting in pooled] == [1] * len(pooled)


async def test_the_pool_never_hands_out_a_connection_still_marked_with_keys_off(storage):
    """Should an import be stopped before it could switch them on again (storage.db)."""
    async with storage.engine.connect() as connection:
        await connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        await connection.commit()
        raw = await connection.get_raw_connection()
        raw.info[FOREIGN_KEYS_OFF] = True
        left = raw.driver_connection
    assert storage.engine.pool.checkedin() == 1

    async with storage.engine.connect() as connection:
        setting = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
        handed = (await connection.get_raw_connection()).driver_connection

    assert setting == 1 and handed is not left
    assert left._connection is None
