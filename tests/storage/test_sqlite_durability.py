"""SQLite runs in WAL mode with foreign keys on and full synchronous commits: a commit that
returned survives the process being killed straight after it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from sqlalchemy import select, text

from bot.runtime_context import open_storage
from storage.migrate import upgrade
from storage.models import Unit


async def test_pragmas(storage):
    async with storage.engine.connect() as connection:
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        sync = (await connection.execute(text("PRAGMA synchronous"))).scalar()
    assert (mode, keys, sync) == ("wal", 1, 2)


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
