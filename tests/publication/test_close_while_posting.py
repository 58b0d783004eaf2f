"""Closing the 公示 while its lists are still being posted: pages the sender has claimed and holds
for the channel's next turn are cancelled, never posted after the close."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from pubworld import CHANNEL, UNITS, import_people, person
from sqlalchemy import select

from bot.sandbox.client import SandboxClient
from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from notices.botapi import BotApi
from notices.config import NoticeSettings
from notices.sender import OutboxSender
from services import publication as gongshi
from services.publication import PublicationRules
from services.publication_texts import CHANNEL_ENTRIES
from storage import outbox_queue
from storage import publication as store
from storage.db import transaction
from storage.models import ChannelPost, Outbox

TOKEN = "7000000002:PUBLICATION-test"
PAGES = 4
GAP = 2.0  # seconds between two posts to the channel (30 a minute)


async def until(predicate, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.02)


async def test_pages_held_for_the_channel_turn_are_not_posted_after_the_close(storage, sandbox):
    people = [person(n, UNITS[0]) for n in range(CHANNEL_ENTRIES * (PAGES - 1) + 1)]
    await import_people(storage, people)
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
    assert opened.posts == PAGES

    settings = NoticeSettings(
        api_base=sandbox.url,
        bot_token=TOKEN,
        outbox_poll_seconds=0.05,
        outbox_group_per_minute=60 / GAP,
    )
    api = BotApi(settings.api_base, TOKEN, timeout=5.0)
    sender = OutboxSender(sessions=storage.sessions, api=api, settings=settings)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    async with SandboxClient(sandbox.url) as sb:
        try:

            async def first_posted() -> bool:
                return bool(await sb.channel_posts(CHANNEL))

            await until(first_posted, timeout=10)
            # The other pages are claimed and held for the channel's next turns.
            assert sender.queue.count == PAGES - 1
            async with transaction(storage.sessions) as session:
                await gongshi.close_gongshi(session=session, year=2026, now=clock.now(), actor="t")
            at_close = len(await sb.channel_posts(CHANNEL))

            async def all_settled() -> bool:
                async with storage.sessions() as session:
                    return await outbox_queue.due_count(session) == 0

            # Every held page's turn comes and goes (GAP apart), and the close's deletion.
            await until(all_settled, timeout=PAGES * GAP + 10)
        finally:
            stop.set()
            await running
            await api.aclose()
        posts = await sb.channel_posts(CHANNEL)
    assert len(posts) == at_close < PAGES  # nothing appeared after the close
    assert all(p["deleted"] for p in posts)
    assert sender.stats.withdrawn == PAGES - at_close
    async with storage.sessions() as session:
        rows = (
            await session.execute(
                select(Outbox.state, Outbox.last_error, ChannelPost.deleted_at).join(
                    ChannelPost, ChannelPost.outbox_id == Outbox.id
                )
            )
        ).all()
    assert (
        sorted(state for state, _, _ in rows)
        == ["failed"] * (PAGES - at_close) + ["sent"] * at_close
    )
    assert all(error == store.WITHDRAWN for state, error, _ in rows if state == "failed")
    assert all(deleted is not None for _, _, deleted in rows)
