"""A sandbox per test on 127.0.0.1, and senders that deliver the outbox to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.sandbox import RunningSandbox
from bot.sandbox.client import SandboxClient
from notices.botapi import BotApi
from notices.config import NoticeSettings
from notices.sender import OutboxSender

TOKEN = "7000000001:NOTICES-test"


@pytest.fixture
async def sb(sandbox: RunningSandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.url) as client:
        yield client


@pytest.fixture
def notice_settings(sandbox: RunningSandbox) -> NoticeSettings:
    # Quick retries keep the tests short; the limits are Telegram's.
    return NoticeSettings(
        api_base=sandbox.url,
        bot_token=TOKEN,
        outbox_poll_seconds=0.05,
        outbox_backoff_base=0.2,
        outbox_backoff_max=1.0,
    )


@pytest.fixture
async def make_sender(
    notice_settings: NoticeSettings,
) -> AsyncIterator[Callable[..., OutboxSender]]:
    apis: list[BotApi] = []

    def make(sessions: Any, **changes: Any) -> OutboxSender:
        settings = NoticeSettings(**{**notice_settings.__dict__, **changes})
        api = BotApi(settings.api_base, settings.bot_token, timeout=5.0)
        apis.append(api)
        return OutboxSender(sessions=sessions, api=api, settings=settings)

    yield make
    for api in apis:
        await api.aclose()
