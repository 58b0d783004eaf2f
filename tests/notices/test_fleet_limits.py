"""Two sender processes on one PostgreSQL server keep Telegram's limits together: the sandbox
enforces 30 messages a second in all and one a second per chat, and answers 429 to anything
faster. Together they reach the limit without a 429, take turns for a chat they both hold rows
of, put an alert ahead of the broadcast, and a 429 met by one pauses the other."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select

from bot.runtime_context import open_storage
from bot.settings import load_settings
from notices.botapi import BotApi, Verdict
from notices.config import NoticeSettings
from notices.fleet_limits import FleetBudget
from notices.pacing import ReplyMeter
from storage.db import transaction
from storage.fleet_limits import MAX_OWED_SECONDS, Turn, charge_fleet, pause_fleet, take_turn
from storage.migrate import upgrade
from storage.models import Outbox
from storage.outbox import enqueue

# The fleet's rate is measured: run alone, after the parallel run (`make test`).
pytestmark = pytest.mark.serial

LIMIT = 30.0  # the sandbox's and the senders' overall rate: Telegram's


def settings_for(url: str):
    return load_settings(database_url=url, secret_key="test-secret-key-0123456789")


async def started(sb, count: int, name: str) -> list[int]:
    async def one(n: int) -> int:
        persona = await sb.create_persona(f"{name}{n}")
        await sb.update_persona(persona, started=True)
        return int(persona["id"])

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def states(sessions) -> dict[str, int]:
    async with sessions() as session:
        grouped = select(Outbox.state, func.count()).group_by(Outbox.state)
        return {state: n for state, n in (await session.execute(grouped)).all()}


async def run_both(senders, sessions, total: int, meanwhile: Callable[[], Awaitable[float]]):
    """Run both senders until ``total`` rows are sent; what ``meanwhile`` returns."""
    stop = asyncio.Event()
    runners = [asyncio.create_task(sender.run(stop)) for sender in senders]
    try:
        result = await meanwhile()
        for _ in range(300):
            await asyncio.sleep(0.1)
            if await states(sessions) == {"sent": total}:
                break
    finally:
        stop.set()
        await asyncio.gather(*runners)
    assert await states(sessions) == {"sent": total}
    return result


@pytest.mark.postgres
async def test_two_processes_share_the_limits_and_alerts_go_first(pg_url, sb, make_sender):
    limits = await sb.set_limits(reset=True)
    assert limits["rate_limits"] and limits["global_per_second"] == LIMIT
    citizens = await started(sb, 240, "居民")
    [busy, official] = await started(sb, 2, "干部")
    async with open_storage(settings_for(pg_url)) as one, open_storage(settings_for(pg_url)) as two:
        await upgrade(one.engine)
        async with transaction(one.sessions) as session:
            for n, chat in enumerate(citizens):
                await enqueue(session, chat_id=chat, kind="broadcast", text=f"公示已开始 {n}")
                if n % 40 == 0:
                    # Rows of one chat spread over both processes' claims.
                    await enqueue(session, chat_id=busy, kind="broadcast", text=f"提醒 {n}")
        first = make_sender(one.sessions)
        second = make_sender(two.sessions)
        assert first.fleet is not None and second.fleet is not None

        async def alert() -> float:
            await asyncio.sleep(3.0)
            async with transaction(two.sessions) as session:
                await enqueue(session, chat_id=official, kind="alert", text="新的严重投诉")
            return time.time()

        written = await run_both((first, second), one.sessions, 247, alert)
    calls = await sb.calls("sendMessage")
    assert [c for c in calls if c["status"] == 429] == []
    sent = [c for c in calls if c["ok"]]
    assert len(sent) == 247
    assert first.stats.sent > 20 and second.stats.sent > 20
    times = sorted(c["time"] for c in sent)
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert 0.95 * LIMIT <= rate <= 1.05 * LIMIT, rate
    # The chat both held rows of got one a second, whichever process sent them.
    to_busy = sorted(c["time"] for c in sent if c["params"]["chat_id"] == busy)
    assert len(to_busy) == 6
    assert min(b - a for a, b in itertools.pairwise(to_busy)) >= 0.9
    [alert] = [c["time"] for c in sent if c["params"]["chat_id"] == official]
    assert alert - written < 1.0
    assert sum(t > alert for t in times) > 60  # the broadcast still had seconds to go


@pytest.mark.postgres
async def test_a_429_met_by_one_process_pauses_the_other(pg_url, sb, make_sender):
    await sb.set_limits(reset=True)
    citizens = await started(sb, 150, "居民")
    async with open_storage(settings_for(pg_url)) as one, open_storage(settings_for(pg_url)) as two:
        await upgrade(one.engine)
        async with transaction(one.sessions) as session:
            for chat in citizens:
                await enqueue(session, chat_id=chat, kind="broadcast", text="公示已开始")
        first = make_sender(one.sessions)
        second = make_sender(two.sessions)

        async def refuse() -> float:
            await asyncio.sleep(0.5)
            # Both hold rows when one of them meets the 429.
            assert first.queue.count > 10 and second.queue.count > 10
            await sb.inject_fault("sendMessage", "retry_after", retry_after=3)
            return time.time()

        await run_both((first, second), one.sessions, 150, refuse)
    calls = await sb.calls("sendMessage")
    [refused] = [c for c in calls if c["status"] == 429]
    assert first.stats.rate_limited + second.stats.rate_limited == 1
    after = [c["time"] - refused["time"] for c in calls if c["ok"] and c["time"] > refused["time"]]
    # Those already on the wire land at once; then nobody sends until the 3 s are over.
    assert after and all(t < 0.3 or t >= 2.8 for t in after), after
    assert len([t for t in after if t >= 2.8]) > 60
    assert first.stats.sent + second.stats.sent == 150


@pytest.mark.postgres
async def test_replies_sent_meanwhile_take_their_share_of_the_limit(
    pg_url, sb, make_sender, notice_settings
):
    """Both processes answer people (ten replies a second in all, outside the outbox) while
    they deliver a broadcast: the outbox leaves room for the replies, so the fleet as a whole
    stays at Telegram's 30 a second, with no 429."""
    await sb.set_limits(reset=True)
    citizens = await started(sb, 240, "居民")
    askers = await started(sb, 40, "提问")
    meters = [ReplyMeter(), ReplyMeter()]
    async with open_storage(settings_for(pg_url)) as one, open_storage(settings_for(pg_url)) as two:
        await upgrade(one.engine)
        async with transaction(one.sessions) as session:
            for n, chat in enumerate(citizens):
                await enqueue(session, chat_id=chat, kind="broadcast", text=f"公示已开始 {n}")
        senders = [make_sender(one.sessions), make_sender(two.sessions)]
        for sender, meter in zip(senders, meters, strict=True):
            sender.replies = meter
        api = BotApi(notice_settings.api_base, notice_settings.bot_token)

        async def reply() -> float:
            """60 replies, one every 0.1 s, each counted by the process that sent it."""
            await asyncio.sleep(1.0)
            for n in range(60):
                result = await api.call(
                    "sendMessage", {"chat_id": askers[n % len(askers)], "text": f"回复 {n}"}
                )
                assert result.verdict is Verdict.SENT, result
                meters[n % 2].count(1)
                await asyncio.sleep(0.1)
            return time.time()

        try:
            await run_both(senders, one.sessions, 240, reply)
        finally:
            await api.aclose()
    calls = await sb.calls("sendMessage")
    assert [c for c in calls if c["status"] == 429] == []
    sent = sorted(c["time"] for c in calls if c["ok"])
    assert len(sent) == 300
    rate = (len(sent) - 1) / (sent[-1] - sent[0])
    assert 0.95 * LIMIT <= rate <= 1.05 * LIMIT, rate


@pytest.mark.postgres
async def test_replies_are_charged_to_every_process_and_a_pause_stays(pg_url):
    async with open_storage(settings_for(pg_url)) as storage:
        await upgrade(storage.engine)

        async def take(chat: int) -> Turn:
            async with transaction(storage.sessions) as session:
                return await take_turn(session, chat_id=chat, rate=10.0, burst=1, chat_gap=1.0)

        async def charge(messages: int) -> None:
            async with transaction(storage.sessions) as session:
                await charge_fleet(session, messages=messages, rate=10.0, burst=1)

        assert (await take(11)).wait < 0.001
        await asyncio.sleep(0.2)  # the budget is full again
        await charge(5)  # half a second of replies at 10 a second
        assert 0.4 < (await take(12)).wait <= 0.5
        await charge(1000)  # a flood of replies holds the outbox back a second at most
        assert 0.9 < (await take(13)).wait <= MAX_OWED_SECONDS + 0.1 + 0.01
        async with transaction(storage.sessions) as session:
            await pause_fleet(session, seconds=5)
        await charge(3)  # a 429's pause is never shortened by a charge
        assert 4.8 < (await take(14)).wait <= 5.0


async def test_sqlite_paces_in_memory_alone(storage):
    assert FleetBudget.for_sessions(storage.sessions, NoticeSettings()) is None


@pytest.mark.postgres
async def test_a_turn_is_taken_only_when_the_chat_has_its_turn(pg_url):
    async with open_storage(settings_for(pg_url)) as storage:
        await upgrade(storage.engine)

        async def take(chat: int, gap: float = 1.0) -> Turn:
            async with transaction(storage.sessions) as session:
                return await take_turn(session, chat_id=chat, rate=10.0, burst=1, chat_gap=gap)

        first = await take(11)
        assert first.chat_wait == 0.0 and first.wait < 0.001
        # The same chat a moment later: its turn is a second off, and no overall turn is used.
        again = await take(11)
        assert again.chat_wait > 0.8 and again.wait == 0.0
        other = await take(12)
        assert other.chat_wait == 0.0 and 0.05 < other.wait <= 0.1
        # A 429: every process waits, whichever chat it writes to.
        async with transaction(storage.sessions) as session:
            await pause_fleet(session, seconds=5)
        paused = await take(13)
        assert paused.chat_wait == 0.0 and 4.9 < paused.wait <= 5.0
