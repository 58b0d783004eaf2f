"""Logging a call on SQLite and PostgreSQL: the caller's number, hashed, counts as one person
towards 群众反响较大 however often they call; a unit logs only about itself."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.desk_intake import Caller
from domain.workdays import WorkCalendar
from services.desk_intake import DeskRefused, Logged, log_complaint
from storage.cases import Actor
from storage.models import Case, Complaint, Cycle, Unit, Worker

NOW = datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def setting(session) -> tuple[int, int, int]:
    unit, other = Unit(name="城关镇人民政府"), Unit(name="城东街道办事处")
    cycle = Cycle(year=2026, state="open", gongshi_opens_on=date(2026, 12, 15))
    session.add_all([unit, other, cycle])
    await session.flush()
    worker = Worker(name="张小三", id_hash="h", id_last4="0000", unit_id=unit.id)
    session.add(worker)
    await session.flush()
    return unit.id, other.id, worker.id


def call(unit_id: int, worker_id: int | None, phone: str) -> Logged:
    return Logged(
        unit_id=unit_id,
        worker_id=worker_id,
        category="conduct",
        description="来电反映该人员工作态度差，经常迟到。",
        channel="phone",
        received_on=date(2026, 12, 16),
        caller=Caller("王大妈", phone) if phone else None,
    )


async def log(session, logged: Logged, actor: Actor):
    return await log_complaint(
        session=session,
        logged=logged,
        actor=actor,
        now=NOW,
        calendar=WorkCalendar(),
        threshold=3,
        secret_key="k" * 40,
    )


async def test_one_caller_counts_once_and_three_make_it_serious(any_storage):
    bureau = Actor(user_id=7001, role="bureau")
    async with any_storage.sessions() as session, session.begin():
        unit_id, _, worker_id = await setting(session)
        for _ in range(3):
            await log(session, call(unit_id, worker_id, "13812345678"), bureau)
        severities = list((await session.execute(select(Case.severity))).scalars())
        assert severities == ["minor"] * 3  # one person, however often they call
        await log(session, call(unit_id, worker_id, "13900001111"), bureau)
        last = await log(session, call(unit_id, worker_id, ""), bureau)  # anonymous: a third
        assert last.case.severity == "serious"
        channels = set((await session.execute(select(Complaint.channel))).scalars())
        hashes = list((await session.execute(select(Complaint.complainant_hash))).scalars())
    assert channels == {"phone"}
    assert all(h and "1381234" not in h for h in hashes)


async def test_a_unit_logs_about_itself_only(any_storage):
    async with any_storage.sessions() as session, session.begin():
        unit_id, other_id, _ = await setting(session)
        own = Actor(user_id=7201, role="unit", unit_id=unit_id)
        with pytest.raises(DeskRefused) as refused:
            await log(session, call(other_id, None, "13812345678"), own)
        assert refused.value.reason == "scope"
        with pytest.raises(DeskRefused):
            await log(session, call(unit_id, None, ""), Actor(user_id=1, role="investigator"))
        assert (await session.execute(select(Complaint))).first() is None
        await log(session, call(unit_id, None, ""), own)
        assert len(list((await session.execute(select(Complaint))).scalars())) == 1
