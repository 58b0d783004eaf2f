"""On SQLite, a commit waits for a long import's write lock instead of failing: a results
import holds SQLite's one write lock for its whole write phase, which took over ten seconds
on a busy machine (bench/under_load.py), and people writing meanwhile were answered "something
went wrong" once SQLite's wait ran out."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

from sqlalchemy import text

from storage.db import make_engine

HELD = 11.0  # longer than the former 10-second wait


def hold_write_lock(path: str, taken: threading.Event) -> None:
    """What a long import does to everyone else: the write lock, held for HELD seconds."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO note (text) VALUES ('import')")
        taken.set()
        time.sleep(HELD)
        connection.execute("COMMIT")
    finally:
        connection.close()


async def test_a_commit_waits_for_an_import_that_holds_the_lock_over_ten_seconds(tmp_path):
    path = str(tmp_path / "county.db")
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE note (text TEXT)"))
        taken = threading.Event()
        importer = threading.Thread(target=hold_write_lock, args=(path, taken))
        importer.start()
        assert await asyncio.to_thread(taken.wait, 10)
        started = time.monotonic()
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO note (text) VALUES ('a complaint')"))
        waited = time.monotonic() - started
        importer.join()
        async with engine.connect() as connection:
            notes = (await connection.execute(text("SELECT text FROM note"))).scalars().all()
    finally:
        await engine.dispose()
    assert sorted(notes) == ["a complaint", "import"]
    assert waited > HELD - 1  # it did wait for the lock, and then went through
