"""SQLite through aiosqlite with one trip to the connection's thread per statement
(storage.sqlite_driver): the same rows, streamed or not, the same errors, fewer trips."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from storage import sqlite_driver
from storage.models import Unit

UNIT = Unit.__table__  # type: ignore[attr-defined]


@pytest.fixture
def trips(monkeypatch) -> list[str]:
    """Each function sent to a connection's thread, by name."""
    sent: list[str] = []
    original = sqlite_driver.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(sqlite_driver.Connection, "_execute", counted)
    return sent


async def add_units(storage, count: int) -> None:
    async with storage.sessions() as session, session.begin():
        await session.execute(insert(UNIT), [{"name": f"单位{n:04d}"} for n in range(count)])


async def test_a_query_is_one_trip_and_a_read_only_commit_none(storage, trips):
    await add_units(storage, 3)
    async with storage.sessions() as session:
        await session.execute(text("SELECT 1"))  # the connection is open and checked out
        await session.commit()
        trips.clear()
        names = (await session.execute(select(UNIT.c.name).order_by(UNIT.c.id))).scalars()
        assert list(names) == ["单位0000", "单位0001", "单位0002"]
        await session.commit()
    assert trips == ["_execute"]


async def test_a_write_commits_on_the_connections_thread(storage, trips):
    async with storage.sessions() as session, session.begin():
        await session.execute(insert(UNIT).values(name="人社局"))
    assert "commit" in trips


async def test_large_results_arrive_whole_and_streamed_in_order(storage):
    count = sqlite_driver.FIRST_ROWS * 3 + 7
    await add_units(storage, count)
    expected = [f"单位{n:04d}" for n in range(count)]
    query = select(UNIT.c.name).order_by(UNIT.c.id)
    async with storage.sessions() as session:
        assert list((await session.execute(query)).scalars()) == expected
        streamed: list[str] = []
        async for part in (await session.stream(query)).scalars().partitions(100):
            assert len(part) <= 100
            streamed += part
        assert streamed == expected
        first = (await session.execute(query)).first()
        assert first is not None and first.name == "单位0000"


async def test_a_refused_write_raises_and_the_session_goes_on(storage):
    await add_units(storage, 1)
    async with storage.sessions() as session:
        with pytest.raises(IntegrityError):
            async with session.begin():
                await session.execute(insert(UNIT).values(id=1, name="重复"))
        async with session.begin():
            await session.execute(insert(UNIT).values(name="另一个单位"))
    async with storage.sessions() as session:
        names = set((await session.execute(select(UNIT.c.name))).scalars())
    assert names == {"单位0000", "另一个单位"}


def test_a_connection_bound_to_its_thread_is_refused():
    with pytest.raises(ValueError, match="check_same_thread"):
        sqlite_driver.connect("unused.db")


# -- closing: a connection closed in the middle of a statement leaves no lock behind ---------
#
# A task cancelled while its statement runs on the connection's thread (a sender stopping in
# the middle of a claim) has SQLAlchemy close the connection at once, while the driver's cursor
# still holds the statement's unread rows. sqlite3 then only pretends to close: the connection
# lives on, its transaction and the write lock with it, until the cursor is collected, and
# every other writer waits out its busy timeout (the demo once took over a minute to stop).

ROWS = sqlite_driver.FIRST_ROWS * 2  # more than the first trip brings back
UNFINISHED = "UPDATE numbers SET n = n + 1 RETURNING n"


def numbers_database(path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE numbers (n INTEGER)")
        setup.executemany("INSERT INTO numbers VALUES (?)", [(n,) for n in range(ROWS)])
        setup.commit()


def another_writer_can_write(path) -> bool:
    """A second connection's write, waiting at most a second for the lock; and the unfinished
    update was rolled back."""
    with contextlib.closing(sqlite3.connect(path, timeout=1)) as other:
        try:
            other.execute("INSERT INTO numbers VALUES (-1)")
            other.commit()
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
            return False
        total = other.execute("SELECT sum(n) FROM numbers WHERE n >= 0").fetchone()[0]
    assert total == sum(range(ROWS))
    return True


async def unfinished_statement(path):
    """A driver connection in a write transaction whose cursor has rows left to read."""
    connection = await sqlite_driver.connect(str(path), check_same_thread=False)
    cursor = await connection.cursor()
    await cursor.execute(UNFINISHED)
    assert len(cursor._rows) == sqlite_driver.FIRST_ROWS  # the rest are still to be stepped
    return connection, cursor


async def test_closing_mid_statement_rolls_back_and_frees_the_lock(tmp_path):
    path = tmp_path / "numbers.db"
    numbers_database(path)
    connection, cursor = await unfinished_statement(path)
    await connection.close()
    assert another_writer_can_write(path)
    del cursor


async def test_stopping_mid_statement_rolls_back_and_frees_the_lock(tmp_path):
    path = tmp_path / "numbers.db"
    numbers_database(path)
    connection, cursor = await unfinished_statement(path)
    stopped = connection.stop()  # SQLAlchemy's forced close of an invalidated connection
    assert stopped is not None
    await stopped
    assert another_writer_can_write(path)
    del cursor


async def test_an_invalidated_connection_frees_the_lock(storage):
    path = storage.engine.url.database
    async with storage.engine.begin() as setup:
        await setup.execute(text("CREATE TABLE numbers (n INTEGER)"))
        numbers = [{"n": n} for n in range(ROWS)]
        await setup.execute(text("INSERT INTO numbers VALUES (:n)"), numbers)
    async with storage.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        cursor = await raw.driver_connection.cursor()
        await cursor.execute(UNFINISHED)
        # What SQLAlchemy does to a connection whose statement a cancellation interrupted.
        await connection.invalidate()
        assert another_writer_can_write(path)
        del cursor
