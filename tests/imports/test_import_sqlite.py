"""A large import into tables holding fewer rows than it brings builds their indexes once at the
end (storage.import_sqlite), except the one it finds workers on record by when they are too many
to load whole (storage.import_known): afterwards the schema is exactly as before and the indexes
serve lookups; an import that fails after dropping them leaves them in place, with nothing
written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sheets import HEADER, id_number, result_rows
from test_importer import results

from storage import import_known, import_sqlite, import_writer
from storage.identity import keyed_hash


def database_file(storage) -> Path:
    return Path(storage.settings.database_url.removeprefix("sqlite+aiosqlite:///"))


def indexes(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as connection:
        found = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('worker', 'post', 'result', 'worker_change', 'result_basis')"
        )
        return dict(found.fetchall())


@pytest.fixture
def dropped(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Any file counts as large; what each import dropped is recorded."""
    monkeypatch.setattr(import_sqlite, "DEFER_FROM_ROWS", 1)
    seen: list[list[str]] = []
    real = import_sqlite.DeferredIndexes.drop

    async def spy(self: import_sqlite.DeferredIndexes) -> None:
        await real(self)
        seen.append([name for name, _ in self.dropped])

    monkeypatch.setattr(import_sqlite.DeferredIndexes, "drop", spy)
    return seen


async def test_a_first_large_import_leaves_the_same_indexes_and_they_serve(
    storage, units, sheet_files, dropped
):
    path = database_file(storage)
    before = indexes(path)
    report = await results(storage, sheet_files.xlsx([HEADER, *result_rows(30)]))

    assert report.ok and report.created == 30
    assert "ix_worker_id_hash" in dropped[0] and "ix_result_worker_id" in dropped[0]
    assert indexes(path) == before
    digest = keyed_hash(storage.settings.secret_key.get_secret_value(), "id", id_number(7))
    with sqlite3.connect(path) as connection:
        plan = connection.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM worker WHERE id_hash = ?", (digest,)
        ).fetchall()
        assert "ix_worker_id_hash" in str(plan)
        found = connection.execute("SELECT count(*) FROM worker WHERE id_hash = ?", (digest,))
        assert found.fetchone() == (1,)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_a_second_import_keeps_the_indexes_of_tables_holding_as_many_rows(
    storage, units, sheet_files, dropped
):
    await results(storage, sheet_files.xlsx([HEADER, *result_rows(5)]))
    report = await results(storage, sheet_files.xlsx([HEADER, *result_rows(5, start=5)]))

    assert report.ok and report.created == 5
    # The second import drops only what belongs to the table still empty (no basis columns).
    assert "ix_worker_id_hash" in dropped[0]
    assert dropped[1] == ["ix_result_basis_worker_id"]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many hashes each chunk asked the database for (storage.import_known.looked_up)."""
    seen: list[int] = []
    real = import_known.looked_up

    async def spy(bulk, id_hashes):  # type: ignore[no-untyped-def]
        seen.append(len(id_hashes))
        return await real(bulk, id_hashes)

    monkeypatch.setattr(import_writer, "looked_up", spy)
    return seen


async def import_twenty_after_five(storage, sheet_files):  # type: ignore[no-untyped-def]
    await results(storage, sheet_files.xlsx([HEADER, *result_rows(5)]))
    changed = result_rows(20)
    changed[2][4] = "护林员"  # a worker on record moves to another post
    return await results(storage, sheet_files.xlsx([HEADER, *changed]))


async def test_a_larger_import_loads_the_few_workers_on_record_and_builds_every_index_once(
    storage, units, sheet_files, dropped, asked
):
    path = database_file(storage)
    before = indexes(path)
    report = await import_twenty_after_five(storage, sheet_files)

    # The five on record were found (by the hash of their ID number), not written again, and
    # without asking the database chunk by chunk: they were loaded whole.
    assert report.ok and (report.created, report.updated, report.unchanged) == (15, 1, 4)
    assert asked == []
    assert {"ix_worker_id_hash", "ix_worker_phone_hash", "ix_result_unit_id"} <= set(dropped[1])
    assert indexes(path) == before
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM worker").fetchone() == (20,)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_more_workers_on_record_than_are_loaded_are_looked_up_through_their_index(
    storage, units, sheet_files, dropped, asked, monkeypatch
):
    monkeypatch.setattr(import_known, "PRELOAD_MAX", 4)
    path = database_file(storage)
    before = indexes(path)
    report = await import_twenty_after_five(storage, sheet_files)

    assert report.ok and (report.created, report.updated, report.unchanged) == (15, 1, 4)
    assert asked == [20]  # one chunk, every row's hash
    assert "ix_worker_id_hash" not in dropped[1]
    assert {"ix_worker_phone_hash", "ix_result_unit_id", "ix_worker_change_unit_day"} <= set(
        dropped[1]
    )
    assert indexes(path) == before


async def test_an_import_failing_with_its_indexes_dropped_leaves_them_and_writes_nothing(
    storage, units, sheet_files, dropped, monkeypatch
):
    path = database_file(storage)
    before = indexes(path)

    async def fail(self: import_sqlite.DeferredIndexes) -> None:
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr(import_sqlite.DeferredIndexes, "restore", fail)
    with pytest.raises(RuntimeError):
        await results(storage, sheet_files.xlsx([HEADER, *result_rows(12)]))

    assert dropped and dropped[0]
    assert indexes(path) == before
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM worker").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM import_batch").fetchone() == (0,)
