"""A direct reply that meets Telegram's flood control: waited out in-line for a few seconds at
most, then kept in the outbox and delivered after the wait, once, with its keyboard; and the
outbox waits for a chat whose reply met a 429."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from test_delivery import RecordingSender, press

from bot.runtimes.delivery import INLINE_WAIT, Delivery, SendError
from domain.clock import SystemClock
from handlers.types import Outcome
from messages.replies import Button, FileReply, Reply
from notices.botapi import BotApi
from notices.config import NoticeSettings
from notices.sender import OutboxSender
from storage.db import transaction
from storage.models import Outbox
from storage.models.ops import ChatPause
from storage.outbox import enqueue

T0 = datetime(2026, 12, 16, 1, 0, tzinfo=UTC)


class Wall:
    """A wall clock the fake sleep moves."""

    def __init__(self) -> None:
        self.at = T0
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.at

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += timedelta(seconds=seconds)


class RecordingLater:
    def __init__(self) -> None:
        self.paused: list[tuple[int, datetime]] = []
        self.deferred: list[tuple[int, list[str], datetime]] = []

    async def pause(self, chat_id: int, until: datetime) -> None:
        self.paused.append((chat_id, until))

    async def defer(
        self, chat_id: int, replies: Sequence[Reply | FileReply], not_before: datetime
    ) -> None:
        names = [r.filename if isinstance(r, FileReply) else r.text for r in replies]
        self.deferred.append((chat_id, names, not_before))


class FloodPerText(RecordingSender):
    """Each text meets its own 429s first."""

    def __init__(self, floods: dict[str, list[SendError]]) -> None:
        super().__init__()
        self.floods = floods

    async def send_text(self, chat_id, reply):
        self.calls.append(("send", reply.text))
        queue = self.floods.get(reply.text)
        if queue:
            raise queue.pop(0)


def flood(seconds: float) -> SendError:
    return SendError(f"Too Many Requests: retry after {seconds}", status=429, retry_after=seconds)


def sends(sender: RecordingSender) -> list[object]:
    return [detail for method, detail in sender.calls if method == "send"]


async def test_a_long_flood_wait_keeps_the_reply_and_those_after_it_for_later_in_order():
    wall, later = Wall(), RecordingLater()
    sender = RecordingSender({"send": [flood(30)]})
    delivery = Delivery(sender, wall.sleep, later=later, wall=wall)
    ticket = Reply("您的投诉编号：TS-7K2M", buttons=[[Button("查询进度", data="tk:open")]])
    outcome = Outcome(chat_id=9, replies=[ticket, FileReply("回执.pdf", b"%PDF"), Reply("三")])
    await delivery.deliver(press(None), outcome)
    assert sends(sender) == ["您的投诉编号：TS-7K2M"]  # tried once, not waited for
    assert wall.slept == []
    until = T0 + timedelta(seconds=30)
    assert later.paused == [(9, until)]
    assert later.deferred == [(9, ["您的投诉编号：TS-7K2M", "回执.pdf", "三"], until)]

    # The chat's next answer, made during the wait, goes behind them, without a try.
    await delivery.deliver(press(None), Outcome(chat_id=9, replies=[Reply("下一条")]))
    assert sends(sender) == ["您的投诉编号：TS-7K2M"]
    assert later.deferred[-1] == (9, ["下一条"], until)

    # Once the wait is over, answers go straight again.
    wall.at = until
    await delivery.deliver(press(None), Outcome(chat_id=9, replies=[Reply("好了")]))
    assert sends(sender)[-1] == "好了"
    assert len(later.deferred) == 2


async def test_a_short_flood_wait_is_waited_in_line_and_still_pauses_the_chat():
    wall, later = Wall(), RecordingLater()
    sender = RecordingSender({"send": [flood(2), flood(2)]})
    delivery = Delivery(sender, wall.sleep, later=later, wall=wall)
    await delivery.deliver(press(None), Outcome(chat_id=9, replies=[Reply("一"), Reply("二")]))
    assert sends(sender) == ["一", "一", "一", "二"]
    assert wall.slept == [2, 2]
    assert [chat for chat, _ in later.paused] == [9, 9]
    assert later.deferred == []


async def test_the_in_line_budget_is_for_all_the_replies_of_an_update():
    wall, later = Wall(), RecordingLater()
    sender = FloodPerText({"一": [flood(3)], "二": [flood(3)]})
    delivery = Delivery(sender, wall.sleep, later=later, wall=wall)
    replies = [Reply("一"), Reply("二"), Reply("三")]
    await delivery.deliver(press(None), Outcome(chat_id=9, replies=replies))
    assert wall.slept == [3]  # a second 3 s would pass INLINE_WAIT
    assert 3 <= INLINE_WAIT < 6
    assert sends(sender) == ["一", "一", "二"]
    assert [names for _, names, _ in later.deferred] == [["二", "三"]]


async def test_an_edit_put_off_arrives_as_a_new_message():
    wall, later = Wall(), RecordingLater()
    sender = RecordingSender({"edit": [flood(20)]})
    delivery = Delivery(sender, wall.sleep, later=later, wall=wall)
    await delivery.deliver(press(), Outcome(chat_id=9, replies=[Reply("菜单", edit=True)]))
    assert [names for _, names, _ in later.deferred] == [["菜单"]]


# Over real HTTP, on both runtimes -------------------------------------------------------------


class AheadClock(SystemClock):
    """The outbox's clock, ahead of the bot's: a long flood wait is over without waiting it."""

    def __init__(self, ahead: timedelta) -> None:
        super().__init__()
        self.ahead = ahead

    def now(self) -> datetime:
        return super().now() + self.ahead


async def refused(client, timeout: float = 10.0) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        found = [c for c in await client.calls("sendMessage") if c["status"] == 429]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise TimeoutError("no sendMessage met the 429")


async def recorded_pause(storage, chat_id: int, timeout: float = 2.0) -> ChatPause | None:
    """The bot writes the pause once the 429 has come back to it (None: it never did)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        async with storage.sessions() as session:
            pause = await session.get(ChatPause, chat_id)
        if pause is not None:
            return pause
        await asyncio.sleep(0.05)
    return None


async def test_a_reply_put_off_by_a_long_flood_wait_arrives_through_the_outbox_once(
    bot, client, storage, sandbox, token
):
    user = await client.create_persona("小周", phone="+8613800000002")
    # Longer than any in-line wait, and longer than the 30 s after which replies used to be
    # dropped without a try.
    await client.inject_fault("sendMessage", "retry_after", retry_after=40)
    await client.send_text(user, "/phone")
    await refused(client)
    pause = await recorded_pause(storage, user["id"])
    await asyncio.sleep(0.5)  # the reply is written to the outbox right after the pause
    async with storage.sessions() as session:
        kept = (await session.execute(select(Outbox))).scalars().all()
    assert [(r.chat_id, r.kind, r.payload["text"]) for r in kept] == [
        (user["id"], "reply", "Share your phone")
    ]
    assert pause is not None and kept[0].not_before == pause.not_before
    assert await client.bot_messages(user) == []

    settings = NoticeSettings(api_base=sandbox.url, bot_token=token, outbox_poll_seconds=0.05)
    api = BotApi(settings.api_base, token, timeout=5.0)
    try:
        outbox = OutboxSender(
            sessions=storage.sessions,
            api=api,
            settings=settings,
            clock=AheadClock(timedelta(seconds=60)),
        )
        await outbox.drain(timeout=15, wait_for_delayed=True)
    finally:
        await api.aclose()
    [message] = await client.bot_messages(user)
    assert message["text"] == "Share your phone"
    keyboard = message["reply_markup"]["keyboard"]
    assert keyboard[0][0] == {"text": "Share my phone", "request_contact": True}
    tries = [
        c for c in await client.calls("sendMessage") if int(c["params"]["chat_id"]) == user["id"]
    ]
    assert [c["status"] for c in tries] == [429, 200]  # nothing lost, nothing twice


async def test_a_429_on_a_reply_makes_the_outbox_wait_for_that_chat(
    bot, client, storage, sandbox, token
):
    user = await client.create_persona("小吴")
    await client.inject_fault("sendMessage", "retry_after", retry_after=3)
    await client.send_text(user, "/start")
    flood_call = await refused(client)
    await recorded_pause(storage, user["id"])
    # A notice for the same chat, due now, while the reply waits out its 3 s in-line.
    async with transaction(storage.sessions) as session:
        await enqueue(session, chat_id=user["id"], kind="alert", text="案件提醒")
    settings = NoticeSettings(api_base=sandbox.url, bot_token=token, outbox_poll_seconds=0.05)
    api = BotApi(settings.api_base, token, timeout=5.0)
    try:
        outbox = OutboxSender(sessions=storage.sessions, api=api, settings=settings)
        await outbox.drain(timeout=15, wait_for_delayed=True)
    finally:
        await api.aclose()
    messages = await client.wait_for(user, 2)
    assert sorted(m["text"] for m in messages) == ["Menu", "案件提醒"]
    [notice] = [
        c
        for c in await client.calls("sendMessage")
        if c["params"].get("text") == "案件提醒" and c["ok"]
    ]
    assert notice["time"] >= flood_call["time"] + 3.0
    assert outbox.stats.rate_limited == 0  # it never sent into the wait
