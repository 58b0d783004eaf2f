"""The county of officials_county.py and the product's bot on both runtimes, for the tests of
this folder."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtimes"))
from officials_county import County, build_county
from runtime_harness import RunningBot
from testsupport import record_procedure


@pytest.fixture
async def county(storage) -> County:
    built = await build_county(storage)
    await record_procedure(storage)  # the 公示 opens only on a complete record
    return built


@pytest.fixture(params=["aiogram", "ptb"])
def runtime(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def bot(runtime, sandbox, dispatcher, county) -> AsyncIterator[RunningBot]:
    """The product's bot on ``runtime``, polling the sandbox, with the county in place."""
    running = RunningBot(runtime, f"{sandbox.state.bot.id}:officials", sandbox.url, dispatcher)
    await running.start()
    yield running
    with contextlib.suppress(Exception):
        await running.stop()
