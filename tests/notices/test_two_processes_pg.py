"""Two processes on one real PostgreSQL server: each outbox row is delivered once, and only
one of them leads the scheduler, until its connection is gone."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from bot.runtime_context import open_storage
from bot.settings import load_settings
from notices.leader import Leadership
from storage.db import transaction
from storage.migrate import upgrade
from storage.models import Outbox
from storage.outbox import enqueue

# Two senders racing for rows in time: run alone, after the parallel run (`make test`).
pytestmark = [pytest.mark.postgres, pytest.mark.serial]


def settings_for(url: str):
    return load_settings(database_url=url, secret_key="test-secret-key-0123456789")


async def test_two_senders_deliver_each_row_once(pg_url, sb, make_sender):
    await sb.disable_rate_limits()
    chats = []
    for i in range(60):
        persona = await sb.create_persona(f"居民{i}")
        await sb.update_persona(persona, started=True)
        chats.append(persona["id"])
    async with open_storage(settings_for(pg_url)) as one, open_storage(settings_for(pg_url)) as two:
        await upgrade(one.engine)
        async with transaction(one.sessions) as session:
            for chat in chats:
                for k in range(5):
                    await enqueue(session, chat_id=chat, kind="broadcast", text=f"{chat}-{k}")
        fast = {"outbox_rate": 100.0, "outbox_private_per_second": 1000.0}
        first = make_sender(one.sessions, **fast)
        second = make_sender(two.sessions, **fast)
        await asyncio.gather(first.drain(timeout=30), second.drain(timeout=30))
        async with one.sessions() as session:
            grouped = select(Outbox.state, func.count()).group_by(Outbox.state)
            states = {state: n for state, n in (await session.execute(grouped)).all()}
    calls = await sb.calls("sendMessage")
    sent = Counter(c["params"]["text"] for c in calls if c["ok"])
    assert len(sent) == 300 and set(sent.values()) == {1}
    assert states == {"sent": 300}
    # Both did part of the work: the claims really were shared.
    assert first.stats.sent > 0 and second.stats.sent > 0
    assert first.stats.sent + second.stats.sent == 300


async def test_only_one_process_leads_until_its_connection_is_gone(pg_url):
    async with open_storage(settings_for(pg_url)) as one, open_storage(settings_for(pg_url)) as two:
        stop = asyncio.Event()
        leading: list[str] = []

        def leader(name: str):
            async def elected() -> None:
                leading.append(name)

            async def deposed() -> None:
                leading.remove(name)

            return {"elected": elected, "deposed": deposed}

        a = Leadership(one.engine, retry_seconds=0.2, check_seconds=0.2)
        b = Leadership(two.engine, retry_seconds=0.2, check_seconds=0.2)
        tasks = [
            asyncio.create_task(a.run(stop, **leader("a"))),
            asyncio.create_task(b.run(stop, **leader("b"))),
        ]
        try:
            await asyncio.sleep(1.0)
            assert len(leading) == 1, leading
            first = a if leading == ["a"] else b
            other = b if first is a else a
            assert first.leading and not other.leading
            # The leader's connection dies (its process was killed, its host went away).
            async with one.engine.connect() as killer:
                await killer.execute(
                    text("SELECT pg_terminate_backend(:pid)"), {"pid": first.backend_pid}
                )
            await asyncio.sleep(1.5)
            assert leading == ["b" if first is a else "a"]
            assert other.leading and not first.leading
        finally:
            stop.set()
            await asyncio.gather(*tasks)
        assert leading == []
