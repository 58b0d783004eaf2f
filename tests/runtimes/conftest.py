"""The sandbox on 127.0.0.1, a client that plays the users, and our bot on one runtime or the
other, running the tests' own small conversation (``runtime_router``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from runtime_harness import RunningBot
from runtime_router import build_dispatcher

from bot.sandbox import RunningSandbox
from domain.clock import FixedClock
from handlers.core import Dispatcher

RUNTIMES = ["aiogram", "ptb"]


@pytest.fixture(params=RUNTIMES)
def runtime(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def token(sandbox: RunningSandbox) -> str:
    return f"{sandbox.state.bot.id}:runtime-test-token"


@pytest.fixture
def dispatcher(storage, token) -> Dispatcher:
    clock = FixedClock(datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    # The same token as the bot's, as `gongshi run` has: the bot's id keys its update ids.
    settings = storage.settings.model_copy(update={"bot_token": SecretStr(token)})
    return build_dispatcher(settings=settings, sessions=storage.sessions, clock=clock)


@pytest.fixture
async def bot(runtime, token, sandbox, dispatcher) -> AsyncIterator[RunningBot]:
    running = RunningBot(runtime, token, sandbox.url, dispatcher)
    await running.start()
    yield running
    with contextlib.suppress(Exception):
        await running.stop()
