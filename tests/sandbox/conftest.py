"""A sandbox started per test on 127.0.0.1, a SandboxClient for it, and a raw Bot API caller
that sends exactly what a test writes (JSON, form or multipart)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sandbox_helpers import BotApi

from bot.sandbox import RunningSandbox
from bot.sandbox.client import SandboxClient


@pytest.fixture
async def sb(sandbox: RunningSandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.url) as client:
        yield client


@pytest.fixture
async def tg(sandbox: RunningSandbox) -> AsyncIterator[BotApi]:
    api = BotApi(sandbox.url)
    yield api
    await api.http.aclose()


@pytest.fixture
async def user(sb: SandboxClient) -> dict[str, Any]:
    """A citizen who has opened the bot, so the bot may write to them."""
    persona = await sb.create_persona("张三", username="zhangsan", phone="+8613800000001")
    return await sb.update_persona(persona, started=True)
