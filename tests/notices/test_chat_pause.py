"""A chat paused after a 429 (met by a direct reply, or by any sender) is waited for by every
sender: its rows are not claimed before the pause ends, rows already held wait too, and a
sender's own 429 pauses the chat for the others."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import outbox_queue
from storage.db import transaction
from storage.models import Outbox
from storage.models.ops import ChatPause
from storage.outbox import enqueue

NOW = datetime(2026, 12, 16, 1, 0, tzinfo=UTC)


async def test_a_paused_chat_is_not_claimed_until_its_pause_ends(any_storage):
    async with transaction(any_storage.sessions) as session:
        await enqueue(session, chat_id=11, kind="notice", text="一", not_before=NOW)
        await enqueue(session, chat_id=12, kind="notice", text="二", not_before=NOW)
        await outbox_queue.pause_chat(session, chat_id=11, until=NOW + timedelta(seconds=30))
        # A shorter pause seen later does not cut the longer one short.
        await outbox_queue.pause_chat(session, chat_id=11, until=NOW + timedelta(seconds=5))
    async with transaction(any_storage.sessions) as session:
        assert await outbox_queue.due_count(session, now=NOW) == 1
        claimed = await outbox_queue.claim(
            session, worker="w", now=NOW, lease=timedelta(seconds=60), limit=10
        )
        assert [row.chat_id for row in claimed] == [12]
        assert await outbox_queue.chat_pauses(session, now=NOW) == {11: NOW + timedelta(seconds=30)}
    later = NOW + timedelta(seconds=31)
    async with transaction(any_storage.sessions) as session:
        claimed = await outbox_queue.claim(
            session, worker="w", now=later, lease=timedelta(seconds=60), limit=10
        )
        assert [row.chat_id for row in claimed] == [11]
        assert await outbox_queue.forget_pauses(session, before=later) == 1
        assert (await session.execute(select(ChatPause))).scalars().all() == []


async def started(sb, name: str) -> int:
    persona = await sb.create_persona(name)
    await sb.update_persona(persona, started=True)
    return int(persona["id"])


async def test_rows_already_held_wait_for_a_pause_recorded_meanwhile(storage, sb, make_sender):
    user = await started(sb, "小陈")
    async with transaction(storage.sessions) as session:
        for k in range(3):
            await enqueue(session, chat_id=user, kind="notice", text=f"第{k}条")
    sender = make_sender(storage.sessions)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    try:
        await sb.wait_for(user, 1)
        # The other two are held for the chat's next turns, a second apart, when a reply
        # elsewhere meets a 429 for this chat.
        assert sender.queue.count == 2
        paused_at = time.monotonic()
        async with transaction(storage.sessions) as session:
            until = datetime.now(UTC) + timedelta(seconds=3)
            await outbox_queue.pause_chat(session, chat_id=user, until=until)
        await sb.wait_for(user, 3, timeout=15)
        waited = time.monotonic() - paused_at
    finally:
        stop.set()
        await running
    calls = [c for c in await sb.calls("sendMessage") if c["ok"]]
    assert [c["params"]["text"] for c in calls] == ["第0条", "第1条", "第2条"]
    assert calls[1]["time"] - calls[0]["time"] >= 2.5
    assert waited >= 2.5


async def test_a_429_met_by_the_outbox_pauses_the_chat_for_other_senders(storage, sb, make_sender):
    user = await started(sb, "小林")
    await sb.inject_fault("sendMessage", "retry_after", retry_after=4)
    async with transaction(storage.sessions) as session:
        await enqueue(session, chat_id=user, kind="notice", text="通知")
    sender = make_sender(storage.sessions)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    try:
        before = datetime.now(UTC)
        pause = None
        for _ in range(100):
            async with storage.sessions() as session:
                pause = await session.get(ChatPause, user)
            if pause is not None:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running
    assert pause is not None
    assert pause.not_before >= before + timedelta(seconds=3.5)
    async with storage.sessions() as session:
        [row] = (await session.execute(select(Outbox))).scalars().all()
    # The row itself waits as long, for its retry.
    assert row.state == "pending"
    assert abs(row.not_before - pause.not_before) < timedelta(seconds=1)
