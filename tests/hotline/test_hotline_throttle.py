"""Abuse control: per-user limits, always answered, never slowing anyone else down."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from hotline_helpers import DESCRIPTION, count, file_complaint

from bot.app import build_dispatcher
from domain.complaints import HotlineLimits
from storage.models import Complaint

TOO_FAST = "您发送消息过于频繁"


async def test_at_most_five_complaints_a_day(chat, storage, county, clock):
    me = chat(5301)
    for _ in range(5):
        await file_complaint(me)
        clock.advance(timedelta(minutes=1))
    await me.send("/start")
    await me.click("我要投诉")
    assert "24 小时内已提交 5 件投诉" in me.last
    assert await count(storage, Complaint) == 5
    clock.advance(timedelta(days=1))
    await file_complaint(me)
    assert await count(storage, Complaint) == 6


async def test_the_daily_limit_is_configurable(storage, county, clock):
    from driver import Chat

    strict = build_dispatcher(
        settings=storage.settings,
        sessions=storage.sessions,
        clock=clock,
        services={"hotline_limits": HotlineLimits(complaints_per_day=1)},
    )
    me = Chat(strict, 5302)
    await file_complaint(me)
    await me.send("/start")
    await me.click("我要投诉")
    assert "24 小时内已提交 1 件投诉" in me.last


async def test_too_many_messages_a_minute_are_answered_and_nothing_is_lost(chat, county, clock):
    me = chat(5303)
    await me.send("/start")
    await me.click("我要投诉")
    await me.click("01号单位")
    await me.click("投诉单位本身")
    await me.click("其他")
    # Four hotline messages so far; sixteen short descriptions bring the minute to twenty.
    for _ in range(16):
        await me.send("太短")
        assert "10 到 2000" in me.last
    outcome = await me.send(DESCRIPTION)
    assert TOO_FAST in me.last and len(outcome.replies) == 1
    clock.advance(timedelta(minutes=1))
    await me.send(DESCRIPTION)
    assert "证据材料可选" in me.last


async def test_a_flood_does_not_stop_another_citizen(chat, storage, county):
    flooder, citizen = chat(5304), chat(5305)
    await flooder.send("/start")
    await flooder.click("我要投诉")

    async def flood() -> list[int]:
        replies = []
        for n in range(200):
            outcome = await flooder.send(f"刷屏消息{n}")
            replies.append(len(outcome.replies))
        return replies

    replies, code = await asyncio.gather(flood(), file_complaint(citizen))
    # Never a silent drop: each of the 200 got exactly one answer, almost all of them "wait".
    assert replies == [1] * 200
    texts = [shown.reply.text for shown in flooder.shown]
    assert sum(TOO_FAST in text for text in texts) >= 200 - 20
    assert len(code) == 8
    assert await count(storage, Complaint, Complaint.submitted_by == citizen.user_id) == 1
    assert await count(storage, Complaint, Complaint.submitted_by == flooder.user_id) == 0
