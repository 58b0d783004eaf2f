"""SQLite's checkpoints in the background (storage.checkpoints): a commit does not copy its
pages into the database file when the engine leaves that to keep_checkpointing, which then
does; every other engine keeps SQLite's own checkpoints."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from storage.checkpoints import checkpoint, keep_checkpointing
from storage.db import make_engine

# About 6 MB of pages: well past the 1,000 pages (4 MB) at which SQLite checkpoints by itself.
ROWS, BYTES = 3000, 2000
BIG = 4 * 2**20


async def big_commit(engine) -> None:  # type: ignore[no-untyped-def]
    async with engine.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS filler (data BLOB)")
        await connection.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO filler SELECT randomblob(?) FROM n",
            (ROWS, BYTES),
        )


@pytest.mark.parametrize("background", [False, True])
async def test_a_commit_leaves_its_pages_in_the_log_only_when_checkpoints_are_background(
    tmp_path: Path, background: bool
) -> None:
    path = tmp_path / "gongshi.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}", background_checkpoints=background)
    try:
        async with engine.connect() as connection:
            automatic = (await connection.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar()
        assert automatic == (0 if background else 1000)
        await big_commit(engine)
        if background:
            assert path.stat().st_size < BIG  # the pages are still only in the log
            done = await checkpoint(engine)
            assert done is not None and not done.busy
            assert done.log_pages > BIG // 4096 and done.copied_pages == done.log_pages
        assert path.stat().st_size > BIG
    finally:
        await engine.dispose()


async def test_keep_checkpointing_copies_commits_soon_and_stops_when_told(tmp_path: Path) -> None:
    path = tmp_path / "gongshi.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}", background_checkpoints=True)
    stop = asyncio.Event()
    running = asyncio.create_task(keep_checkpointing(engine, stop, every=0.05))
    try:
        await big_commit(engine)
        deadline = time.monotonic() + 10
        while path.stat().st_size < BIG and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert path.stat().st_size > BIG
        stop.set()
        await asyncio.wait_for(running, 5)
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)
        await engine.dispose()


async def test_a_failed_checkpoint_is_logged_and_the_next_one_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import storage.checkpoints as checkpoints

    calls = 0
    stop = asyncio.Event()

    async def failing_once(engine):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("disk full")
        if calls == 3:
            stop.set()

    monkeypatch.setattr(checkpoints, "checkpoint", failing_once)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'gongshi.db'}")
    try:
        await asyncio.wait_for(keep_checkpointing(engine, stop, every=0.01), 5)
    finally:
        await engine.dispose()
    assert calls >= 3
    assert "the database checkpoint failed" in caplog.text


async def test_there_is_nothing_to_checkpoint_without_a_write_ahead_log(tmp_path: Path) -> None:
    engine = make_engine("sqlite+aiosqlite://")  # in memory: no log
    try:
        assert await checkpoint(engine) is None
    finally:
        await engine.dispose()
