"""The order of work in the runtime: a getUpdates batch is handled in one commit (on SQLite and
on PostgreSQL alike),
and acknowledged (the next getUpdates sent with the offset past it) as soon as it is
committed, while its replies are still on their way; every reply is still sent, in order per
chat, and a stop waits for them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from aiogram.types import Update
from sqlalchemy import select

from bot.runtimes.delivery import Delivery
from bot.runtimes.serving import Pipeline, poll
from handlers.core import Dispatcher, Router
from handlers.types import Incoming, Outcome
from messages.replies import FileReply, Reply
from storage.models import ProcessedUpdate


def counting_router() -> Router:
    router = Router()

    @router.otherwise
    async def step(ctx):
        n = int(ctx.data.get("n", 0)) + 1
        ctx.goto("counting", n=n)
        ctx.say(f"{ctx.incoming.text} #{n}")

    return router


class Counting(Dispatcher):
    """The dispatcher, counting the transactions of its group commits."""

    batches: list[int]

    async def handle_many(self, incomings: Sequence[Incoming]) -> list[Outcome]:
        self.batches.append(len(incomings))
        return await super().handle_many(incomings)


def make_dispatcher(storage, clock) -> Counting:
    dispatcher = Counting(
        sessions=storage.sessions, settings=storage.settings, clock=clock, router=counting_router()
    )
    dispatcher.batches = []
    return dispatcher


class HeldSender:
    """Sends nothing until ``release`` is set: replies stay on their way meanwhile."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.waiting = 0
        self.sent: list[tuple[int, str]] = []

    async def send_text(self, chat_id: int, reply: Reply) -> int | None:
        self.waiting += 1
        await self.release.wait()
        self.waiting -= 1
        self.sent.append((chat_id, reply.text))
        return None

    async def edit_text(self, chat_id: int, message_id: int, reply: Reply) -> None:
        raise AssertionError("no edits here")

    async def remove_buttons(self, chat_id: int, message_id: int) -> None:
        raise AssertionError("no buttons here")

    async def send_file(self, chat_id: int, reply: FileReply) -> None:
        raise AssertionError("no files here")

    async def answer_callback(self, callback_id: str, text: str | None, alert: bool) -> None:
        raise AssertionError("no buttons here")


def text_update(update_id: int, user_id: int, text: str) -> Update:
    person = {"id": user_id, "is_bot": False, "first_name": "市民"}
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1_800_000_000,
                "chat": {"id": user_id, "type": "private", "first_name": "市民"},
                "from": person,
                "text": text,
            },
        }
    )


async def recorded(storage) -> set[int]:
    async with storage.sessions() as session:
        return set((await session.execute(select(ProcessedUpdate.update_id))).scalars())


async def test_a_batch_is_one_commit_and_done_before_its_replies_are_sent(any_storage, clock):
    storage = any_storage
    dispatcher = make_dispatcher(storage, clock)
    sender = HeldSender()
    pipeline = Pipeline(dispatcher, Delivery(sender))
    updates = [text_update(n, 1000 + n, f"m{n}") for n in range(1, 101)]

    await asyncio.wait_for(pipeline.process_batch(updates), 10)

    assert dispatcher.batches == [100]
    assert await recorded(storage) == set(range(1, 101))
    assert sender.sent == [] and sender.waiting == 100
    sender.release.set()
    await asyncio.wait_for(pipeline.drain(), 10)
    assert sorted(sender.sent) == [(1000 + n, f"m{n} #1") for n in range(1, 101)]


class Scripted:
    """getUpdates hands out the scripted batches one per call, then nothing until stopped;
    it notes each offset it was called with and how many replies had been sent by then."""

    def __init__(self, batches: list[list[Update]], sender: HeldSender) -> None:
        self.batches = batches
        self.sender = sender
        self.calls: list[tuple[int | None, int]] = []

    async def get_updates(self, offset: int | None, timeout: int) -> Sequence[Any]:
        self.calls.append((offset, len(self.sender.sent)))
        if self.batches:
            return self.batches.pop(0)
        if timeout:
            await asyncio.sleep(3600)
        return []


async def test_polling_acknowledges_a_committed_batch_while_its_replies_are_on_their_way(
    storage, clock
):
    dispatcher = make_dispatcher(storage, clock)
    sender = HeldSender()
    pipeline = Pipeline(dispatcher, Delivery(sender))
    # The second batch holds a second text of the first chat: it waits for that chat's reply.
    transport = Scripted(
        [[text_update(1, 11, "a"), text_update(2, 12, "b")], [text_update(3, 11, "c")]], sender
    )
    stop = asyncio.Event()
    polling = asyncio.create_task(poll(transport, pipeline, stop))  # type: ignore[arg-type]
    for _ in range(200):
        if len(transport.calls) >= 2:
            break
        await asyncio.sleep(0.05)

    # Asked for the updates after the first batch before its replies were sent, and polls
    # on while they are on their way.
    assert transport.calls[:2] == [(None, 0), (3, 0)]
    for _ in range(200):
        if sender.waiting == 2:
            break
        await asyncio.sleep(0.05)
    assert sender.waiting == 2 and not polling.done()
    assert await recorded(storage) == {1, 2}
    sender.release.set()
    for _ in range(200):
        if len(transport.calls) >= 3:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(polling, 10)

    assert transport.calls[2][0] == 4
    assert await recorded(storage) == {1, 2, 3}
    # Every reply sent, and the first chat's in the order of its texts.
    assert [text for chat, text in sender.sent if chat == 11] == ["a #1", "c #2"]
    assert [text for chat, text in sender.sent if chat == 12] == ["b #1"]


async def test_a_stop_waits_for_the_replies_of_a_committed_batch(storage, clock):
    dispatcher = make_dispatcher(storage, clock)
    sender = HeldSender()
    pipeline = Pipeline(dispatcher, Delivery(sender))
    transport = Scripted([[text_update(1, 11, "a")]], sender)
    stop = asyncio.Event()
    polling = asyncio.create_task(poll(transport, pipeline, stop))  # type: ignore[arg-type]
    for _ in range(200):
        if len(transport.calls) >= 2:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.sleep(0.2)
    assert not polling.done()  # the reply is owed
    sender.release.set()
    await asyncio.wait_for(polling, 10)
    assert sender.sent == [(11, "a #1")]
    # The last call confirms the batch, so a restart is not handed it again.
    assert transport.calls[-1][0] == 2
