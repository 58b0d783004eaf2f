"""Shared fixtures: settings on a temporary SQLite file, storage at the newest schema on
SQLite and on a real PostgreSQL server started for the run."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "conversations"))

from pgserver import PgServer, start_pg
from testsupport import make_settings

from bot.app import build_dispatcher
from bot.runtime_context import Storage, open_storage
from bot.sandbox import RunningSandbox, start_sandbox
from bot.sandbox.client import SandboxClient
from bot.settings import Settings
from domain.clock import FixedClock
from storage.migrate import upgrade

# Suites that measure behaviour under kills, load and timing: `make test` runs them alone,
# after the other tests have run in parallel, so that no other test competes for the CPU.
SERIAL_FOLDERS = ("reliability", "scaleout")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        relative = item.path.relative_to(here) if item.path.is_relative_to(here) else None
        if relative is not None and relative.parts[0] in SERIAL_FOLDERS:
            item.add_marker(pytest.mark.serial)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or GONGSHI_ variables, nor writes to ./var."""
    for name in list(os.environ):
        if name.startswith("GONGSHI_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = start_pg()
    yield server
    server.stop()


_databases = itertools.count(1)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    return pg_server.create_database(f"t{os.getpid()}_{next(_databases)}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/gongshi.db"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/gongshi.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return make_settings(sqlite_url)


SQLITE = "sqlite+aiosqlite:///"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database at the newest schema, migrated once per run: a test's storage starts
    from a copy, since migrating from nothing costs about half a second a test."""
    path = tmp_path_factory.mktemp("template") / "gongshi.db"

    async def build() -> None:
        async with open_storage(make_settings(f"{SQLITE}{path}")) as opened:
            await upgrade(opened.engine)

    asyncio.run(build())
    with sqlite3.connect(path) as connection:  # one self-contained file, no write-ahead log
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


def _from_template(url: str, template: Path) -> bool:
    """Copy the migrated template to a new SQLite file at ``url``; False for any other URL,
    which is then migrated as it is."""
    if not url.startswith(SQLITE) or Path(url[len(SQLITE) :]).exists():
        return False
    shutil.copyfile(template, url[len(SQLITE) :])
    return True


@pytest.fixture
async def storage(settings: Settings, sqlite_template: Path) -> AsyncIterator[Storage]:
    """SQLite storage at the newest schema."""
    copied = _from_template(settings.database_url, sqlite_template)
    async with open_storage(settings) as opened:
        if not copied:
            await upgrade(opened.engine)
        yield opened


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    """The name of one PostgreSQL database at the newest schema, migrated once per run: a
    test's PostgreSQL storage is created from it (CREATE DATABASE ... TEMPLATE), as SQLite's
    is copied from ``sqlite_template``."""
    url = pg_server.create_database(f"template_{os.getpid()}")

    async def build() -> None:
        async with open_storage(make_settings(url)) as opened:
            await upgrade(opened.engine)

    # In a thread of its own: the fixture is asked for from inside a test's event loop. The
    # engine is disposed at the end, so no connection is left to block a copy.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, build()).result()
    return url.rsplit("/", 1)[1]


async def _pg_from_template(url: str, template: str) -> None:
    """Make the (new, empty) PostgreSQL database at ``url`` a copy of ``template``."""
    import asyncpg

    server, name = url.removeprefix("postgresql+asyncpg://").rsplit("/", 1)
    connection = await asyncpg.connect(f"postgresql://{server}/postgres")
    try:
        await connection.execute(f'DROP DATABASE "{name}"')
        # FILE_COPY (PostgreSQL 15+) copies a small database several times faster than the
        # default WAL_LOG; the server runs without fsync, so its checkpoint is cheap.
        strategy = " STRATEGY FILE_COPY" if connection.get_server_version().major >= 15 else ""
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')
    finally:
        await connection.close()


@pytest.fixture
async def any_storage(
    database_url: str, sqlite_template: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Storage]:
    """Storage at the newest schema, once on SQLite and once on PostgreSQL."""
    copied = _from_template(database_url, sqlite_template)
    if database_url.startswith("postgresql+asyncpg://"):
        await _pg_from_template(database_url, request.getfixturevalue("pg_template"))
        copied = True
    async with open_storage(make_settings(database_url)) as opened:
        if not copied:
            await upgrade(opened.engine)
        yield opened


@pytest.fixture
def clock() -> FixedClock:
    """Mid-December 2026, in the county's time zone: move it with ``advance`` or ``set``."""
    return FixedClock(datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def dispatcher(storage, clock):
    """The product's conversations on SQLite storage and the test's clock."""
    return build_dispatcher(settings=storage.settings, sessions=storage.sessions, clock=clock)


@pytest.fixture
def chat(dispatcher):
    """``chat(user_id)`` opens a conversation that speaks as that user (see driver.py)."""
    from driver import Chat

    def open_chat(user_id: int = 5001, language: str | None = "zh-hans", **kw) -> Chat:
        return Chat(dispatcher, user_id, language, **kw)

    return open_chat


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    """The Bot API look-alike on a free loopback port, for tests over real HTTP."""
    running = await start_sandbox()
    yield running
    await running.stop()


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[SandboxClient]:
    """The sandbox's control API: personas that type, press and read."""
    async with SandboxClient(sandbox.url) as opened:
        yield opened
