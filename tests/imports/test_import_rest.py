"""An import may rest after each chunk it writes, giving others the processor: the bot's
background import does (notices.uploads.BACKGROUND_REST). Where the import holds SQLite's one
write lock, a rest would keep everybody else waiting longer, so there it never rests."""

from __future__ import annotations

import gc

import pytest
from sheets import add_units
from sqlalchemy import func, select
from test_import_foreign_keys import batches_of, row

from storage import importer
from storage.importer import BatchInfo, write_rows
from storage.models import Result, utcnow

CHUNK = 10
RESTING_CHUNK = 4  # a chunk of an import that rests: smaller, so that nobody waits behind one


@pytest.fixture
def rests(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The rests the writer took, in seconds (not slept: these tests wait for nothing)."""
    taken: list[float] = []

    async def note(seconds: float) -> None:
        taken.append(seconds)

    monkeypatch.setattr(importer, "_rest", note)
    monkeypatch.setattr(importer, "CHUNK", CHUNK)
    monkeypatch.setattr(importer, "RESTING_CHUNK", RESTING_CHUNK)
    return taken


async def write(storage, rows: int, *, rest: float) -> None:
    units = await add_units(storage)
    await write_rows(
        storage.sessions,
        batches_of([row(n) for n in range(rows)], 2 * CHUNK),
        secret_key=storage.settings.secret_key.get_secret_value(),
        units=units,
        batch=BatchInfo("results", "results.xlsx", "0" * 64, "test"),
        now=utcnow(),
        cycle_year=2026,
        rest=rest,
    )


async def results(storage) -> int:
    async with storage.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Result)) or 0)


async def test_the_writer_rests_after_each_chunk_except_on_sqlite(any_storage, rests):
    await write(any_storage, 5 * RESTING_CHUNK, rest=1.0)

    assert await results(any_storage) == 5 * RESTING_CHUNK
    if any_storage.engine.dialect.name == "sqlite":
        assert rests == []
    else:
        assert len(rests) == 5 and all(seconds > 0 for seconds in rests)


@pytest.mark.parametrize("rest", [1.0, 0.0])
async def test_an_import_that_rests_writes_in_smaller_chunks(any_storage, rests, monkeypatch, rest):
    """The event loop serves nobody while the writer plans a chunk: a resting import (the bot's,
    on PostgreSQL) writes RESTING_CHUNK rows at a time, one that does not rest (the command
        line's) CHUNK rows, fewer statements; one on SQLite, which never rests, a batch that came
    in one go, of up to four chunks."""
    sizes: list[int] = []
    real = importer.Writer.write

    async def writing(self, rows):  # type: ignore[no-untyped-def]
        sizes.append(len(rows))
        await real(self, rows)

    monkeypatch.setattr(importer.Writer, "write", writing)
    await write(any_storage, 2 * CHUNK + 3, rest=rest)

    assert await results(any_storage) == 2 * CHUNK + 3
    resting = rest > 0 and any_storage.engine.dialect.name != "sqlite"
    # The rows come in batches of 2 * CHUNK (see write): each is cut into chunks, except on
    # SQLite, where a batch of up to JOINED_MOST // STREAM_BATCH chunks is written in one go.
    if resting:
        assert sizes == [4, 4, 4, 4, 4, 3]
    elif any_storage.engine.dialect.name == "sqlite":
        assert sizes == [2 * CHUNK, 3]
    else:
        assert sizes == [CHUNK, CHUNK, 3]


def test_a_resting_chunk_is_smaller_than_a_chunk() -> None:
    assert 0 < importer.RESTING_CHUNK < importer.CHUNK


async def test_without_a_rest_the_writer_never_waits(any_storage, rests):
    await write(any_storage, 3 * CHUNK, rest=0.0)

    assert await results(any_storage) == 3 * CHUNK
    assert rests == []


async def test_the_collector_runs_while_the_writer_rests_and_not_while_it_writes(
    any_storage, monkeypatch
):
    """A background import on PostgreSQL writes for most of a minute under load: the bot's own
    garbage is collected in its rests, not in one long pass at its end."""
    during_rests: list[bool] = []
    during_writes: list[bool] = []

    async def note(seconds: float) -> None:
        during_rests.append(gc.isenabled())

    real = importer.Writer.write

    async def writing(self, rows):  # type: ignore[no-untyped-def]
        during_writes.append(gc.isenabled())
        await real(self, rows)

    monkeypatch.setattr(importer, "_rest", note)
    monkeypatch.setattr(importer, "CHUNK", CHUNK)
    monkeypatch.setattr(importer, "RESTING_CHUNK", CHUNK)
    monkeypatch.setattr(importer.Writer, "write", writing)
    assert gc.isenabled()
    await write(any_storage, 4 * CHUNK, rest=1.0)

    assert gc.isenabled()  # on again afterwards
    if any_storage.engine.dialect.name == "sqlite":
        assert during_writes == [False] * 2  # batches of two chunks, each written in one go
        assert during_rests == []  # never rests there
    else:
        assert during_writes == [False] * 4
        assert during_rests == [True] * 4


def test_two_imports_at_once_keep_the_collector_off_until_both_are_written():
    seen: list[bool] = []
    with importer._collector_paused():
        with importer._collector_paused(), importer._collector_resumed():
            seen.append(gc.isenabled())  # the other import still writes
        seen.append(gc.isenabled())  # the first is still writing
        with importer._collector_resumed():
            seen.append(gc.isenabled())  # its rest, alone now
        seen.append(gc.isenabled())
    seen.append(gc.isenabled())
    assert seen == [False, False, True, False, True]
