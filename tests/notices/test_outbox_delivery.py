"""The outbox delivered to the sandbox over real HTTP: within the limits, in priority order,
through 429s, 5xx and lost connections with nothing lost, and never forever to a chat that
cannot be written to."""

from __future__ import annotations

import itertools
import struct
import time
import zlib
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage import outbox_queue
from storage.db import transaction
from storage.models import Outbox, TelegramUser, utcnow
from storage.outbox import Attachment, enqueue
from storage.queries.status import collect_status

# Rates and the time after a 429 are measured: run alone, after the parallel run (`make test`).
pytestmark = pytest.mark.serial


async def started(sb, n: int, name: str = "用户") -> list[int]:
    ids = []
    for i in range(n):
        persona = await sb.create_persona(f"{name}{i}")
        await sb.update_persona(persona, started=True)
        ids.append(persona["id"])
    return ids


async def queue(storage, messages: list[tuple[int, str]], kind: str = "notice") -> None:
    async with transaction(storage.sessions) as session:
        for chat_id, text in messages:
            await enqueue(session, chat_id=chat_id, kind=kind, text=text)


async def rows(storage) -> list[Outbox]:
    async with storage.sessions() as session:
        return list((await session.execute(select(Outbox).order_by(Outbox.id))).scalars())


def delivered(calls) -> Counter:
    return Counter((c["params"]["chat_id"], c["params"].get("text")) for c in calls if c["ok"])


async def test_each_chat_gets_its_messages_in_order_one_a_second(storage, sb, make_sender):
    users = await started(sb, 3)
    await queue(storage, [(u, f"第{k}条") for u in users for k in range(3)])
    await make_sender(storage.sessions).drain(timeout=20)
    calls = await sb.calls("sendMessage")
    assert [c["status"] for c in calls] == [200] * 9  # the sandbox's limits were never hit
    for user in users:
        texts = [m["text"] for m in await sb.bot_messages(user)]
        assert texts == ["第0条", "第1条", "第2条"]
        times = [c["time"] for c in calls if c["params"]["chat_id"] == user]
        assert all(b - a >= 0.95 for a, b in itertools.pairwise(times))
    assert {r.state for r in await rows(storage)} == {"sent"}
    assert all(r.message_id for r in await rows(storage))


async def test_a_429_is_waited_out_by_every_send_and_nothing_is_lost(storage, sb, make_sender):
    users = await started(sb, 4)
    await sb.inject_fault("sendMessage", "retry_after", retry_after=2)
    await queue(storage, [(u, f"通知{u}-{k}") for u in users for k in range(2)])
    # One request at a time: a request already on its way when the 429 comes back cannot be
    # called back, so only then does "nothing after the 429" hold exactly.
    sender = make_sender(storage.sessions, outbox_max_in_flight=1)
    await sender.drain(timeout=30, wait_for_delayed=True)
    calls = await sb.calls("sendMessage")
    refused = [c for c in calls if c["status"] == 429]
    assert len(refused) == 1 and sender.stats.rate_limited == 1
    after = [c["time"] for c in calls if c["seq"] > refused[0]["seq"]]
    # Nothing at all before retry_after: Telegram does not say whether the chat or the bot
    # hit the limit.
    assert after and min(after) >= refused[0]["time"] + 2.0
    assert set(delivered(calls).values()) == {1}
    assert len(delivered(calls)) == 8  # every message, once
    states = {r.state for r in await rows(storage)}
    assert states == {"sent"}


async def test_5xx_and_lost_connections_back_off_and_nothing_is_lost_or_doubled(
    storage, sb, make_sender
):
    users = await started(sb, 3)
    await sb.inject_fault("sendMessage", "error", status=502, count=3)
    await sb.inject_fault("sendMessage", "reset", count=1)  # lost before it took effect
    await queue(storage, [(u, f"提醒{u}-{k}") for u in users for k in range(2)])
    sender = make_sender(storage.sessions)
    await sender.drain(timeout=30, wait_for_delayed=True)
    calls = await sb.calls("sendMessage")
    assert sum(1 for c in calls if c["status"] == 502) == 3
    assert sum(1 for c in calls if c["fault"] == "reset") == 1
    counts = delivered(calls)
    assert len(counts) == 6 and set(counts.values()) == {1}
    retried = [r for r in await rows(storage) if r.attempts > 1]
    assert retried and all(r.state == "sent" and r.last_error == "" for r in retried)
    # A failed message is tried again only after its backoff (base 0.2 s here, jittered).
    for call in (c for c in calls if c["status"] == 502):
        chat, text = call["params"]["chat_id"], call["params"]["text"]
        later = [c["time"] for c in calls if c["seq"] > call["seq"] and
                 (c["params"]["chat_id"], c["params"]["text"]) == (chat, text)]  # fmt: skip
        assert later and min(later) - call["time"] >= 0.1


async def test_a_user_who_blocked_the_bot_fails_once_and_is_not_retried(storage, sb, make_sender):
    blocked, other = await started(sb, 2)
    await sb.set_blocked(blocked)
    async with transaction(storage.sessions) as session:
        session.add(TelegramUser(id=blocked))
    await queue(storage, [(blocked, "一"), (blocked, "二"), (blocked, "三"), (other, "四")])
    await make_sender(storage.sessions).drain(timeout=20, wait_for_delayed=True)
    to_blocked = [c for c in await sb.calls("sendMessage") if c["params"]["chat_id"] == blocked]
    assert [c["status"] for c in to_blocked] == [403]  # one try, the others failed with it
    states = {(r.chat_id, r.state) for r in await rows(storage)}
    assert states == {(blocked, "failed"), (other, "sent")}
    assert all("blocked" in r.last_error for r in await rows(storage) if r.chat_id == blocked)
    async with storage.sessions() as session:
        assert (await session.get(TelegramUser, blocked)).blocked_bot is True
        status = await collect_status(session=session, today=utcnow().date())
    assert status["outbox"] == {"pending": 0, "sent": 1, "failed": 3}
    # A later run does not try again.
    await sb.clear_calls()
    await make_sender(storage.sessions).drain(timeout=5)
    assert await sb.calls("sendMessage") == []


async def test_an_unknown_chat_fails_with_the_reason(storage, sb, make_sender):
    await queue(storage, [(-1009999999999, "频道通知")])
    await make_sender(storage.sessions).drain(timeout=10)
    [row] = await rows(storage)
    assert row.state == "failed" and "chat not found" in row.last_error


async def test_rows_of_a_sender_that_died_are_delivered_once_its_lease_runs_out(
    storage, sb, make_sender
):
    users = await started(sb, 2)
    await queue(storage, [(u, f"消息{u}") for u in users])
    async with transaction(storage.sessions) as session:
        # A sender claimed both rows and died without sending; its lease has run out.
        claimed = await outbox_queue.claim(
            session,
            worker="dead-host:1:abc",
            now=utcnow(),
            lease=timedelta(seconds=-1),
            limit=10,
        )
    assert len(claimed) == 2
    assert {r.state for r in await rows(storage)} == {"sending"}
    await make_sender(storage.sessions).drain(timeout=10)
    assert {r.state for r in await rows(storage)} == {"sent"}
    assert set(delivered(await sb.calls("sendMessage")).values()) == {1}


async def test_an_alert_overtakes_a_broadcast(storage, sb, make_sender):
    crowd = await started(sb, 120, "居民")
    official = (await started(sb, 1, "值班员"))[0]
    await queue(storage, [(u, "公示开始了") for u in crowd], kind="broadcast")
    sender = make_sender(storage.sessions, outbox_rate=40.0)
    import asyncio

    runner = asyncio.create_task(sender.drain(timeout=30))
    await asyncio.sleep(1.0)  # the broadcast is under way
    written = time.time()
    await queue(storage, [(official, "新的严重投诉")], kind="alert")
    await runner
    calls = await sb.calls("sendMessage")
    alert = next(c for c in calls if c["params"]["chat_id"] == official)
    broadcast_after = [c for c in calls if c["seq"] > alert["seq"]]
    assert alert["time"] - written < 1.0
    assert len(broadcast_after) > 40  # the broadcast still had a long way to go
    assert len(delivered(calls)) == 121


async def test_a_chart_is_uploaded_as_a_photo(storage, sb, make_sender):
    [user] = await started(sb, 1)
    async with transaction(storage.sessions) as session:
        await enqueue(
            session,
            chat_id=user,
            kind="notice",
            text="每周汇总",
            method="sendPhoto",
            file=Attachment("digest.png", tiny_png()),
        )
    await make_sender(storage.sessions).drain(timeout=10)
    [message] = await sb.bot_messages(user)
    assert message["message"]["caption"] == "每周汇总"
    assert message["message"]["photo"]


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
