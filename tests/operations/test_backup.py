"""Backups, restored and read back: `gongshi backup` copies a SQLite database while it is in
use (SQLite's online backup API), and the pg_dump / pg_restore procedure of
docs/operations.md brings a PostgreSQL database back whole."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess

import pytest
from sqlalchemy import func, select
from testsupport import SECRET, make_settings
from typer.testing import CliRunner

from bot.cli import app
from bot.runtime_context import open_storage
from storage.db import transaction
from storage.demo import load_demo_data
from storage.migrate import upgrade
from storage.models import Result, Unit


async def gongshi(url: str, *args: str):
    """The command in a thread of its own: it runs its own event loop."""
    env = {"GONGSHI_DATABASE_URL": url, "GONGSHI_LANGUAGE": "en", "GONGSHI_SECRET_KEY": SECRET}
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def units_and_results(url: str) -> tuple[list[str], int]:
    async with open_storage(make_settings(url)) as storage, storage.sessions() as session:
        names = list((await session.execute(select(Unit.name).order_by(Unit.id))).scalars())
        results = await session.scalar(select(func.count()).select_from(Result))
    return names, int(results or 0)


async def fill(url: str) -> None:
    async with open_storage(make_settings(url)) as storage:
        await upgrade(storage.engine)
        async with transaction(storage.sessions) as session:
            for n in range(30):
                session.add(Unit(name=f"{n:02d}号单位", quota=n + 1))


async def test_a_sqlite_backup_taken_while_writing_restores_whole(tmp_path):
    live = f"sqlite+aiosqlite:///{tmp_path}/live.db"
    await fill(live)
    backup = tmp_path / "backups" / "gongshi-2026-12-16.db"

    async def keep_writing(stop: asyncio.Event) -> int:
        written = 0
        async with open_storage(make_settings(live)) as storage:
            while not stop.is_set():
                async with transaction(storage.sessions) as session:
                    session.add(Unit(name=f"写入中{written}", quota=1))
                written += 1
                await asyncio.sleep(0)
        return written

    stop = asyncio.Event()
    writer = asyncio.create_task(keep_writing(stop))
    await asyncio.sleep(0.2)
    result = await gongshi(live, "backup", "--output", str(backup))
    stop.set()
    written = await writer
    assert result.exit_code == 0, result.output
    assert "integrity checked" in result.output
    assert written > 0

    # Restoring is putting the file in the database's place.
    restored = tmp_path / "restored.db"
    shutil.copy(backup, restored)
    url = f"sqlite+aiosqlite:///{restored}"
    names, _ = await units_and_results(url)
    assert names[:30] == [f"{n:02d}号单位" for n in range(30)]
    # A consistent copy: the units written meanwhile are there in order, none half-written.
    assert names[30:] == [f"写入中{n}" for n in range(len(names) - 30)]
    status = await gongshi(url, "status", "--json")
    assert status.exit_code == 0, status.output
    assert json.loads(status.output)["units"] == len(names)


async def test_backup_refuses_to_overwrite_and_sends_postgresql_to_pg_dump(tmp_path):
    live = f"sqlite+aiosqlite:///{tmp_path}/live.db"
    await fill(live)
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"something precious")
    refused = await gongshi(live, "backup", "--output", str(taken))
    assert refused.exit_code == 2 and "exists already" in refused.output
    assert taken.read_bytes() == b"something precious"
    elsewhere = await gongshi("postgresql+asyncpg://u@127.0.0.1:9/x", "backup", "-o", "x.db")
    assert elsewhere.exit_code == 2 and "pg_dump" in elsewhere.output


@pytest.mark.postgres
async def test_pg_dump_and_pg_restore_bring_the_database_back(pg_server, pg_url):
    async with open_storage(make_settings(pg_url)) as storage:
        await upgrade(storage.engine)
        await load_demo_data(sessions=storage.sessions, secret_key="test-secret-key-0123456789")
    source = pg_url.rsplit("/", 1)[1]
    dump = f"{pg_server.directory}/gongshi.dump"
    connect = ["-h", "127.0.0.1", "-p", str(pg_server.port), "-U", "postgres"]
    run = pg_server.as_user
    subprocess.run(
        [*run, f"{pg_server.bindir}/pg_dump", *connect, "-Fc", "-f", dump, source],
        check=True,
        capture_output=True,
    )
    target = pg_server.create_database(f"{source}_restored")
    subprocess.run(
        [
            *run,
            f"{pg_server.bindir}/pg_restore",
            *connect,
            "--no-owner",
            "-d",
            target.rsplit("/", 1)[1],
            dump,
        ],
        check=True,
        capture_output=True,
    )
    assert await units_and_results(target) == await units_and_results(pg_url)
    status = await gongshi(target, "status", "--json")
    assert status.exit_code == 0, status.output
