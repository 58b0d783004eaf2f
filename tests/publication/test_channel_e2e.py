"""The channel posts over real HTTP: the outbox sender posts each unit's pages to the sandbox's
channel, protected and with a complaint deep link per person; the close deletes them all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from pubworld import CHANNEL, UNITS, import_people, person
from sqlalchemy import select

from bot.sandbox import RunningSandbox
from bot.sandbox.client import SandboxClient
from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from notices.botapi import BotApi
from notices.config import NoticeSettings
from notices.publication import sweep_gongshi
from notices.sender import OutboxSender
from services import publication as gongshi
from services.publication import PublicationRules
from services.publication_texts import CHANNEL_ENTRIES
from storage.db import transaction
from storage.models import ChannelPost

TOKEN = "7000000002:PUBLICATION-test"


@pytest.fixture
async def sb(sandbox: RunningSandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.url) as client:
        yield client


@pytest.fixture
async def deliver(storage, sandbox) -> AsyncIterator:
    settings = NoticeSettings(
        api_base=sandbox.url, bot_token=TOKEN, outbox_poll_seconds=0.05, outbox_backoff_base=0.2
    )
    api = BotApi(settings.api_base, settings.bot_token, timeout=5.0)

    async def run() -> None:
        sender = OutboxSender(sessions=storage.sessions, api=api, settings=settings)
        await sender.drain(timeout=60.0)

    yield run
    await api.aclose()


async def test_the_lists_are_posted_protected_and_deleted_at_the_close(storage, sb, deliver):
    people = [person(n, UNITS[0]) for n in range(CHANNEL_ENTRIES + 3)]
    people += [person(100 + n, UNITS[1]) for n in range(2)]
    ids = await import_people(storage, people)
    clock = FixedClock(datetime(2026, 12, 16, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    async with transaction(storage.sessions) as session:
        opened = await gongshi.open_gongshi(
            session=session,
            rules=PublicationRules(
                calendar=WorkCalendar(),
                min_workdays=5,
                channel_id=CHANNEL,
                bot_username="gongshi_bot",
                language="zh",
            ),
            clock=clock,
            year=2026,
            actor="test",
        )
    assert opened.posts == 3  # the first unit needs two pages, the second one

    await deliver()
    posts = [p for p in await sb.channel_posts(CHANNEL) if not p["deleted"]]
    assert len(posts) == 3
    async with storage.sessions() as session:
        recorded = (await session.execute(select(ChannelPost))).scalars().all()
    assert len(recorded) == 3
    linked = {}
    for post in posts:
        assert post["protect_content"] is True
        for row in post["reply_markup"]["inline_keyboard"]:
            for button in row:
                link = urlparse(button["url"])
                assert (link.netloc, link.path) == ("t.me", "/gongshi_bot")
                linked[int(parse_qs(link.query)["start"][0].removeprefix("c_"))] = button["text"]
    assert sorted(linked) == sorted(ids.values())
    for p in people:
        assert p.name not in "".join(post["text"] for post in posts)

    after_window = opened.window.closes_on + timedelta(days=1)
    clock.set(datetime.combine(after_window, time(0, 5), tzinfo=ZoneInfo("Asia/Shanghai")))
    report = await sweep_gongshi(sessions=storage.sessions, clock=clock)
    assert report.closed == [2026]
    await deliver()
    after = await sb.channel_posts(CHANNEL)
    assert len(after) == 3 and all(p["deleted"] for p in after)
    calls = await sb.calls("deleteMessage")
    assert sorted(c["params"]["message_id"] for c in calls) == sorted(
        p["message_id"] for p in posts
    )
