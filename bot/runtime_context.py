"""What every command needs: settings, the engine and sessions, and a way to fail in one line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.i18n import Translator
from bot.settings import Settings, SettingsError, load_settings
from storage.db import make_engine, make_sessionmaker

T = TypeVar("T")


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


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except CommandError as exc:
        fail(str(exc), exc.exit_code)
