"""What every command needs: settings, the engine and sessions, and a way to fail in one line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings, SettingsError, load_settings
from messages.i18n import N_, Translator
from storage.db import make_engine, make_sessionmaker

T = TypeVar("T")

OLD_SCHEMA = N_("The database is not at the newest schema: run `gongshi db upgrade`.")


class CommandError(Exception):
    """An error for the person at the terminal: printed as one line, exit code 1 (or given)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def fail(message: str, exit_code: int = 1) -> NoReturn:
    print(message, file=sys.stderr)
    raise SystemExit(exit_code)


def settings_or_exit(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        t = Translator(None)
        fail(t("Invalid setting: {problem}", problem=str(exc)), 2)


@dataclass
class Storage:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


@asynccontextmanager
async def open_storage(settings: Settings) -> AsyncIterator[Storage]:
    engine = make_engine(settings.database_url)
    try:
        yield Storage(settings, engine, make_sessionmaker(engine))
    finally:
        await engine.dispose()


async def require_newest_schema(engine: AsyncEngine, t: Translator) -> None:
    """Commands that read or write data refuse an older schema, in one line (exit code 2)."""
    from storage.migrate import current_revision, head_revision

    if await current_revision(engine) != head_revision():
        raise CommandError(t(OLD_SCHEMA), 2)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except CommandError as exc:
        fail(str(exc), exc.exit_code)
