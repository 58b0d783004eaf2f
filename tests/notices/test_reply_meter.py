"""Replies sent outside the outbox take their share of Telegram's overall rate: the process's
outbox sender waits for them (on PostgreSQL every process does: tests/notices/
test_fleet_limits.py)."""

from __future__ import annotations

import asyncio

import pytest

from notices.pacing import REPLY_SHARE, Pacer, ReplyMeter


def pacer() -> Pacer:
    return Pacer(rate=30.0, burst=2, private_per_second=1.0, group_per_minute=20.0, now=0.0)


def test_replies_spent_hold_the_outbox_back_by_their_share():
    paced = pacer()
    assert paced.global_wait(0.0) == 0.0
    assert paced.spend(15, 0.0) == 15  # half a second's worth at 30 a second
    assert paced.global_wait(0.0) == pytest.approx(15 / 30)  # the one token there, and 15 more
    # Two thirds of a second's worth at most: a flood of replies is charged only so far.
    assert paced.spend(1000, 0.0) == pytest.approx(30 * REPLY_SHARE - 15)
    assert paced.global_wait(0.0) == pytest.approx(30 * REPLY_SHARE / 30)


def test_replies_spent_after_a_quiet_spell_use_the_tokens_saved_up_first():
    paced = pacer()
    paced.spend(2, 5.0)  # the bucket has filled to its burst of two by then
    assert paced.global_wait(5.0) == pytest.approx(1 / 30)


def test_a_crowd_replied_to_never_stops_the_outbox():
    """100 replies a second for ten seconds, far beyond Telegram's 30: the outbox, sending
    whenever its pacer lets it, still sends a third of the rate (its alerts and pages go),
    less the replies' allowance, charged in full as the crowd arrives."""
    paced = pacer()
    sent = 0
    for step in range(1, 10_001):  # a millisecond at a time
        now = step / 1000
        if step % 10 == 0:
            paced.spend(1, now)
        if paced.global_wait(now) == 0.0:
            paced.take(-step, now)  # a different chat each time: only the overall rate counts
            sent += 1
    outbox_share = 30 * (1 - REPLY_SHARE) * 10  # a third of 30 a second, for ten seconds
    first_burst = 30 * REPLY_SHARE  # the replies' allowance, full as the crowd arrives
    assert outbox_share - first_burst - 2 <= sent <= outbox_share + 2


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
    meter.count(15)  # half a second's worth of replies at Telegram's 30 a second
    wait = sender.pacer.global_wait(asyncio.get_running_loop().time())
    stop.set()
    await running
    assert 0.4 < wait <= 0.5
    before = sender.pacer.tokens
    meter.count(30)  # stopped: no longer told
    assert sender.pacer.tokens == before
