"""The case clocks: the owner warned a working day ahead, an overdue case escalated (督办) to
the bureau once per deadline, across restarts, by moving the injected clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from case_helpers import (
    BUREAU,
    CALENDAR,
    INVESTIGATORS,
    UNIT_A_CONTACT,
    actor,
    file_case,
    get_case,
    outbox_to,
)
from sqlalchemy import select

from bot.runtime_context import open_storage
from domain.clock import FixedClock
from notices.case_clocks import sweep_case_clocks
from services import cases as store
from storage.models import CaseEvent

ZONE = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=ZONE)


async def supervisions(storage, case_id: int) -> list[dict]:
    async with storage.sessions() as session:
        rows = await session.execute(
            select(CaseEvent.detail).where(
                CaseEvent.case_id == case_id, CaseEvent.action == "supervise"
            )
        )
        return list(rows.scalars())


async def sweep(storage, clock):
    return await sweep_case_clocks(sessions=storage.sessions, clock=clock, calendar=CALENDAR)


async def test_warn_then_escalate_once_across_restarts(storage, county):
    filed = at(16)  # Wed; acceptance is due Thu Dec 17
    minor = await file_case(
        storage, unit_id=county.units["01号单位"], worker_id=None, category="conduct", now=filed
    )
    clock = FixedClock(filed)
    report = await sweep(storage, clock)
    assert report.warned == 1 and report.escalated == 0
    [warning] = await outbox_to(storage, UNIT_A_CONTACT)
    assert "2026年12月17日（周四）" in warning.payload["text"] and f"cs:open:{minor}" in str(
        warning.payload
    )

    await sweep(storage, clock)  # the same warning again: not sent twice
    assert len(await outbox_to(storage, UNIT_A_CONTACT)) == 1
    assert await outbox_to(storage, BUREAU) == []

    clock.set(at(18))  # Fri: a day overdue
    report = await sweep(storage, clock)
    assert report.escalated == 1
    assert await supervisions(storage, minor) == [{"clock": "accept", "due": "2026-12-17"}]
    [escalation] = await outbox_to(storage, BUREAU)
    assert "督办" in escalation.payload["text"]

    # A restart: a new engine on the same database file, a few days on, escalates nothing
    # again (the clock lives in the database, not in the process).
    clock.set(at(21))
    async with open_storage(storage.settings) as restarted:
        report = await sweep(restarted, clock)
    assert report.escalated == 0
    assert len(await supervisions(storage, minor)) == 1
    assert len(await outbox_to(storage, BUREAU)) == 1


async def test_the_conclusion_clock_warns_the_assignee_and_moves_with_an_extension(storage, county):
    now = at(16)
    case_id = await file_case(
        storage,
        unit_id=county.units["01号单位"],
        worker_id=county.workers["张小三"],
        category="absent",
        now=now,
    )
    hr = actor(INVESTIGATORS[0], "investigator")
    async with storage.sessions() as session, session.begin():
        await store.accept(session=session, case_id=case_id, actor=hr, now=now, calendar=CALENDAR)
        await store.assign(
            session=session, case_id=case_id, actor=hr, now=now, investigator=INVESTIGATORS[0]
        )
    due = (await get_case(storage, case_id)).conclude_due
    assert str(due) == "2026-12-21"
    clock = FixedClock(at(18))  # Fri, the working day before Mon 21
    await sweep(storage, clock)
    texts = [r.payload["text"] for r in await outbox_to(storage, INVESTIGATORS[0])]
    assert any("2026年12月21日（周一）" in t and "办结" in t for t in texts)
    assert not any(
        "办结" in t for t in (r.payload["text"] for r in await outbox_to(storage, INVESTIGATORS[1]))
    )

    clock.set(at(22))
    assert (await sweep(storage, clock)).escalated == 1
    async with storage.sessions() as session, session.begin():
        await store.extend(
            session=session, case_id=case_id, actor=hr, now=clock.now(), reason="需调取考勤记录"
        )
    # The new deadline is a new clock: nothing overdue now, and no second escalation.
    clock.advance(timedelta(days=1))
    assert (await sweep(storage, clock)).escalated == 0
    assert len(await supervisions(storage, case_id)) == 1
