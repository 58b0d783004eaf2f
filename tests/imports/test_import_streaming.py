"""Rows are written as the reading process checks them (storage.import_child.checking_in_child),
yet an import stays all or nothing: a problem found after whole batches were written leaves
nothing behind and is reported with every other problem, as before."""

from __future__ import annotations

import pytest
from sheets import HEADER, UNITS, add_units, id_number, result_row, result_rows
from sqlalchemy import update
from test_importer import counts, results

from storage import import_child, import_writer
from storage.import_child import STREAM_BATCH
from storage.models import Cycle
from storage.sheet_reader import SheetError

LATE = STREAM_BATCH + 150  # a row past the first batch the reading process sends


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of each chunk the writer wrote."""
    seen: list[int] = []
    real = import_writer.Writer.write

    async def spy(self: import_writer.Writer, rows) -> None:  # type: ignore[no-untyped-def]
        seen.append(len(rows))
        await real(self, rows)

    monkeypatch.setattr(import_writer.Writer, "write", spy)
    return seen


async def test_a_bad_row_after_written_batches_leaves_nothing_and_is_reported(
    any_storage, sheet_files, written
):
    """On SQLite and PostgreSQL."""
    storage = any_storage
    await add_units(storage)
    rows = result_rows(LATE + 10)
    rows[LATE][2] = id_number(LATE)[:-1] + ("0" if id_number(LATE)[-1] != "0" else "1")
    rows[LATE + 5][0] = "不存在的单位"
    report = await results(storage, sheet_files.xlsx([HEADER, *rows]))

    assert written and sum(written) >= STREAM_BATCH  # a batch was written before the problem
    assert not report.ok
    assert [issue.row for issue in report.issues] == [LATE + 2, LATE + 7]  # the file's numbers
    assert report.rows == LATE + 10
    assert set((await counts(storage)).values()) == {0}


async def test_a_large_good_file_is_written_whole_in_batches(storage, units, sheet_files, written):
    report = await results(storage, sheet_files.xlsx([HEADER, *result_rows(LATE)]))

    assert report.ok and report.created == LATE and report.rows == LATE
    # The first batch alone, or with the rest if that had arrived too (import_child.JOINED_MOST).
    assert written[0] in (STREAM_BATCH, LATE) and sum(written) == LATE
    found = await counts(storage)
    assert found["Worker"] == found["Result"] == found["Post"] == LATE


async def test_problems_come_before_a_closed_cycle(storage, units, sheet_files):
    await results(storage, sheet_files.xlsx([HEADER, result_row(1)], "first.xlsx"))
    async with storage.sessions() as session, session.begin():
        await session.execute(update(Cycle).values(state="closed"))
    bad = [UNITS[0], "李四", "123", "", "保洁员", "合格", "是", ""]
    report = await results(storage, sheet_files.xlsx([HEADER, result_row(2), bad]))

    assert not report.ok and [issue.row for issue in report.issues] == [3]


async def test_a_reading_process_stopped_after_written_batches_leaves_nothing(
    storage, units, sheet_files, written, monkeypatch
):
    real = import_child.ChildChecks.next_frame

    async def stops_after_one_batch(self: import_child.ChildChecks) -> object | None:
        if written:  # as if the process ran out of memory once a batch was written
            self.failed = self.stopped
            raise self.stopped
        return await real(self)

    monkeypatch.setattr(import_child.ChildChecks, "next_frame", stops_after_one_batch)
    with pytest.raises(SheetError) as caught:
        await results(storage, sheet_files.xlsx([HEADER, *result_rows(LATE)]))

    assert caught.value.reason == import_child.REASON_READER_STOPPED
    assert written in ([STREAM_BATCH], [LATE])  # the rest joined the first batch if it was there
    assert set((await counts(storage)).values()) == {0}
