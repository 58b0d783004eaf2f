"""An import may rest after each chunk it writes, giving others the processor: the bot's
background import does (notices.uploads.BACKGROUND_REST). Where the import holds SQLite's one
write lock, a rest would keep everybody else waiting longer, so there it never rests."""

from __future__ import annotations

import pytest
from sheets import add_units
from sqlalchemy import func, select
from test_import_foreign_keys import batches_of, row

from storage import importer
from storage.importer import BatchInfo, write_rows
from storage.models import Result, utcnow

CHUNK = 10


@pytest.fixture
def rests(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The rests the writer took, in seconds (not slept: these tests wait for nothing)."""
    taken: list[float] = []

    async def note(seconds: float) -> None:
        taken.append(seconds)

    monkeypatch.setattr(importer, "_rest", note)
    monkeypatch.setattr(importer, "CHUNK", CHUNK)
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
    await write(any_storage, 5 * CHUNK, rest=1.0)

    assert await results(any_storage) == 5 * CHUNK
    if any_storage.engine.dialect.name == "sqlite":
        assert rests == []
    else:
        assert len(rests) == 5 and all(seconds > 0 for seconds in rests)


async def test_without_a_rest_the_writer_never_waits(any_storage, rests):
    await write(any_storage, 3 * CHUNK, rest=0.0)

    assert await results(any_storage) == 3 * CHUNK
    assert rests == []
