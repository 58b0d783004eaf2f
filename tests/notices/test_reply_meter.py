"""Replies sent outside the outbox take their share of Telegram's overall rate: the process's
outbox sender waits for them (on PostgreSQL every process does: tests/notices/
test_fleet_limits.py)."""

from __future__ import annotations

import asyncio

import pytest

from notices.pacing import Pacer, ReplyMeter


def pacer() -> Pacer:
    return Pacer(rate=30.0, burst=2, private_per_second=1.0, group_per_minute=20.0, now=0.0)


def test_replies_spent_hold_the_outbox_back_by_their_share_a_second_at_most():
    paced = pacer()
    assert paced.global_wait(0.0) == 0.0
    paced.spend(15, 0.0)  # half a second's worth at 30 a second, beside the one token there
    assert paced.global_wait(0.0) == pytest.approx(15 / 30)
    paced.spend(1000, 0.0)  # a flood: a second's worth owed, no more
    assert paced.global_wait(0.0) == pytest.approx(31 / 30)
    assert paced.global_wait(1.1) == 0.0


def test_replies_spent_after_a_quiet_spell_use_the_tokens_saved_up_first():
    paced = pacer()
    paced.spend(2, 5.0)  # the bucket has filled to its burst of two by then
    assert paced.global_wait(5.0) == pytest.approx(1 / 30)


def test_the_meter_tells_its_listeners_until_they_stop_listening():
    meter = ReplyMeter()
    heard: list[int] = []
    meter.count(3)  # nobody listens yet
    stop = meter.listen(heard.append)
    meter.count(1)
    meter.count(2)
    stop()
    meter.count(4)
    assert heard == [1, 2]


async def test_the_outbox_sender_listens_while_it_runs(storage, make_sender):
    meter = ReplyMeter()
    sender = make_sender(storage.sessions)
    sender.replies = meter
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(0.05)
    meter.count(30)  # a second's worth of replies at Telegram's 30 a second
    wait = sender.pacer.global_wait(asyncio.get_running_loop().time())
    stop.set()
    await running
    assert 0.9 < wait <= 31 / 30
    before = sender.pacer.tokens
    meter.count(30)  # stopped: no longer told
    assert sender.pacer.tokens == before
