from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from driver import Chat

from bot.app import build_dispatcher
from domain.clock import FixedClock


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def dispatcher(storage, clock):
    return build_dispatcher(settings=storage.settings, sessions=storage.sessions, clock=clock)


@pytest.fixture
def chat(dispatcher):
    def open_chat(user_id: int = 5001, language: str | None = "zh-hans", **kw) -> Chat:
        return Chat(dispatcher, user_id, language, **kw)

    return open_chat
