"""SQLite runs in WAL mode with foreign keys on and full synchronous commits: a commit that
returned survives the process being killed straight after it. New files have 16 KB pages."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

from sqlalchemy import select, text
from testsupport import make_settings

from bot.runtime_context import open_storage
from storage.db import PAGE_SIZE
from storage.migrate import upgrade
from storage.models import Unit


async def test_pragmas(storage):
    async with storage.engine.connect() as connection:
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        sync = (await connection.execute(text("PRAGMA synchronous"))).scalar()
        page = (await connection.execute(text("PRAGMA page_size"))).scalar()
    assert (mode, keys, sync, page) == ("wal", 1, 2, PAGE_SIZE)
    assert PAGE_SIZE == 16_384


async def test_a_database_made_with_smaller_pages_keeps_them_and_serves(tmp_path):
    """Only a new file takes the larger pages: one created before keeps its 4 KB pages, in WAL
    mode, and is migrated and written as ever."""
    path = tmp_path / "older.db"
    with sqlite3.connect(path) as older:
        older.execute("PRAGMA page_size=4096")
        older.execute("PRAGMA journal_mode=WAL")
        older.execute("CREATE TABLE before_us (x INTEGER)")
    async with open_storage(make_settings(f"sqlite+aiosqlite:///{path}")) as s:
        await upgrade(s.engine)
        async with s.sessions() as session, session.begin():
            session.add(Unit(name="旧库单位"))
        async with s.engine.connect() as connection:
            page = (await connection.execute(text("PRAGMA page_size"))).scalar()
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            check = (await connection.execute(text("PRAGMA integrity_check"))).scalar()
    assert (page, mode, check) == (4096, "wal", "ok")


async def test_commit_survives_sigkill(settings, tmp_path):
    async with open_storage(settings) as opened:
        await upgrade(opened.engine)
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal, sys
        from bot.runtime_context import open_storage
        from bot.settings import load_settings
        from storage.models import Unit

        async def main():
            settings = load_settings(database_url={settings.database_url!r},
                                     secret_key="test-secret-key-0123456789")
            async with open_storage(settings) as storage:
                for n in range(20):
                    async with storage.sessions() as session, session.begin():
                        session.add(Unit(name=f"单位{{n}}"))
                print("committed", flush=True)
                os.kill(os.getpid(), signal.SIGKILL)

        asyncio.run(main())
        """
    )
    process = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=os.getcwd(),
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=120,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr
    assert "committed" in process.stdout
    async with open_storage(settings) as opened:
        async with opened.sessions() as session:
            names = (await session.execute(select(Unit.name))).scalars().all()
        async with opened.engine.connect() as connection:
            check = (await connection.execute(text("PRAGMA integrity_check"))).scalar()
    assert len(names) == 20
    assert check == "ok"
