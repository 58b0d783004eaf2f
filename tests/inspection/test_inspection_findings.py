"""Findings that act (point 6): an inspector's finding confirmed by the group leader flows
through the same use case as a confirmed complaint finding; the one rule for absence at the
verification versus 不在岗 found; on SQLite and PostgreSQL, and in the user's words."""

from __future__ import annotations

import pytest
from driver import Chat
from inspection_world import at, build_city, plan_with_inspectors
from sqlalchemy import select

from domain.clock import FixedClock
from domain.subsidy import REASON_ABSENT_AT_VERIFICATION, REASON_WRONG_PERSON, SubsidyStatus
from domain.workdays import WorkCalendar
from services.attendance import record_and_tell
from services.inspection_findings import NotTheLeader, decide_finding, record_finding
from storage.db import transaction
from storage.inspection import inspector_place
from storage.models import Cycle, Outbox, Result, Unit, UnitTask, Worker
from storage.subsidy import subsidy_rows

CITY = "县城市管理局"
LEADER, MEMBER = 7300000001, 7300000002


async def _group(sessions, city):
    """Group 1 inspects the city bureau: a bound leader and a bound member."""
    await plan_with_inspectors(
        sessions, city, groups={CITY: 1},
        inspectors=[(LEADER, 1, "leader"), (MEMBER, 1, "member")], now=at(12, 20),
    )  # fmt: skip


async def _place(session, user):
    from storage.models import RoleBinding

    binding = (
        await session.execute(
            select(RoleBinding).where(RoleBinding.user_id == user, RoleBinding.role == "inspector")
        )
    ).scalar_one()
    return await inspector_place(session, binding.official_id)


async def test_a_confirmed_finding_stops_subsidies_cuts_the_quota_once_and_tells(any_storage):
    city = await build_city(any_storage.sessions)
    await _group(any_storage.sessions, city)
    first, second = city.workers[CITY][:2]
    async with transaction(any_storage.sessions) as session:
        member = await _place(session, MEMBER)
        leader = await _place(session, LEADER)
        absent = await record_finding(
            session=session, place=member, unit_id=city.units[CITY], kind="absent",
            description="连续三天实地查看均不在岗", user_id=MEMBER, now=at(12, 22),
            worker_id=first,
        )  # fmt: skip
        again = await record_finding(
            session=session, place=member, unit_id=city.units[CITY], kind="wrong_person",
            description="实际由其亲属代岗", user_id=MEMBER, now=at(12, 22), worker_id=first,
        )  # fmt: skip
        with pytest.raises(ValueError):  # 不在岗 names a worker
            await record_finding(
                session=session, place=member, unit_id=city.units[CITY], kind="absent",
                description="x", user_id=MEMBER, now=at(12, 22),
            )  # fmt: skip
        with pytest.raises(NotTheLeader):
            await decide_finding(
                session=session, place=member, finding=absent, confirm=True, user_id=MEMBER,
                now=at(12, 23), calendar=WorkCalendar(),
            )  # fmt: skip
        for finding in (absent, again):
            await decide_finding(
                session=session, place=leader, finding=finding, confirm=True, user_id=LEADER,
                now=at(12, 23), calendar=WorkCalendar(),
            )  # fmt: skip
        # Absent at the verification: struck off, subsidies stop, the quota is not cut.
        await record_and_tell(
            session=session, cycle_id=city.cycle_id, worker=await session.get(Worker, second),
            present=False, now=at(12, 22),
        )  # fmt: skip
    async with any_storage.sessions() as session:
        result = (
            await session.execute(select(Result).where(Result.worker_id == first))
        ).scalar_one()
        unit = await session.get(Unit, city.units[CITY])
        tasks = (
            (await session.execute(select(UnitTask.kind).where(UnitTask.kind.like("inspection_%"))))
            .scalars()
            .all()
        )
        told = (await session.execute(select(Outbox))).scalars().all()
        cycle = (await session.execute(select(Cycle))).scalar_one()
        rows = {(r.unit, r.name): r for r in await subsidy_rows(session, cycle)}
        first_name = (await session.get(Worker, first)).name
        second_name = (await session.get(Worker, second)).name
    assert result.subsidy_stopped and set(result.findings) == {"不在岗", "人岗不符"}
    assert unit.quota_cut == 1  # once per worker, though two findings cut it
    assert sorted(tasks) == sorted([f"inspection_{absent.id}", f"inspection_{again.id}"])
    assert absent.consequences == ["stop_subsidy", "cut_quota", "other"]
    assert again.consequences == ["stop_subsidy", "other"]
    worker_chat = city.worker_users[first]
    assert any(m.chat_id == worker_chat and "补贴停发" in m.payload["text"] for m in told)
    assert any(
        m.chat_id == LEADER and f"问题 #{absent.id} 待您确认" in m.payload["text"] for m in told
    )
    assert rows[CITY, first_name].subsidy == SubsidyStatus.STOP
    assert rows[CITY, first_name].reason == REASON_WRONG_PERSON
    assert rows[CITY, second_name].subsidy == SubsidyStatus.STOP
    assert rows[CITY, second_name].reason == REASON_ABSENT_AT_VERIFICATION


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(12, 22, 10))


async def test_an_inspector_records_and_the_leader_confirms_in_chat(storage, dispatcher):
    city = await build_city(storage.sessions)
    await _group(storage.sessions, city)
    me = Chat(dispatcher, MEMBER)
    await me.send("/start")
    await me.click("考核检查：本组单位")
    await me.click(next(b for b in me.buttons() if b.startswith(CITY)))
    await me.click("记录发现的问题")
    assert me.last == "发现了什么问题？"
    await me.click("人岗不符")
    assert me.last == "涉及哪位人员？" and "该单位本身" not in me.buttons()
    await me.click("王*1")
    await me.click("提交")
    assert me.answers[-1] == "请先描述问题。"
    await me.send("实地查看时由他人代岗")
    await me.upload("照片.pdf")
    assert me.last == "证据已保存（第 1 件，最多 5 件）。"
    await me.click("提交")
    assert me.last.startswith("问题 #1 已记录，已送组长确认。")

    leader = Chat(dispatcher, LEADER)
    await leader.send("/start")  # the alert stands in for this message
    async with storage.sessions() as session:
        [alert] = (
            (await session.execute(select(Outbox).where(Outbox.chat_id == LEADER))).scalars().all()
        )
    assert (
        (alert.payload["text"])
        == "考核检查问题 #1 待您确认：县城市管理局 · 王*1，人岗不符。实地查看时由他人代岗"
    )
    await leader.press("ind:ok:1")
    assert (
        leader.last
        == "已确认问题 #1：停发岗位补贴和社保补贴、核减公益性岗位指标、其他（见处理意见）。"
    )
    await leader.press("ind:ok:1")
    assert leader.last == "问题 #1 已处理过。"
    await me.press("ind:no:1")
    assert me.answers[-1] == "只有该单位所在考核组的组长可以确认问题。"
    async with storage.sessions() as session:
        unit = await session.get(Unit, city.units[CITY])
    assert unit.quota_cut == 1


async def test_a_fraud_finding_names_the_person_responsible(storage, dispatcher):
    city = await build_city(storage.sessions)
    await _group(storage.sessions, city)
    me = Chat(dispatcher, MEMBER)
    await me.send("/start")
    await me.press(f"inf:new:{city.units[CITY]}")
    await me.click("弄虚作假、套取资金")
    await me.click("该单位本身")
    await me.send("虚报在岗人数套取岗位补贴")
    assert me.last.startswith("问题描述已记下。责任人是谁？")
    await me.click("提交")
    assert me.answers[-1].startswith("问题描述已记下。责任人是谁？")  # not without the person
    await me.send("王某 单位办公室主任")
    await me.click("提交")
    assert me.last.startswith("问题 #1 已记录")
    async with storage.sessions() as session:
        [alert] = (
            (await session.execute(select(Outbox).where(Outbox.chat_id == LEADER))).scalars().all()
        )
    assert alert.payload["text"].splitlines()[-1] == "责任人：王某 单位办公室主任"
    async with transaction(storage.sessions) as session:
        member = await _place(session, MEMBER)
        with pytest.raises(ValueError):  # fraud without the person responsible
            await record_finding(
                session=session, place=member, unit_id=city.units[CITY], kind="fraud",
                description="x", user_id=MEMBER, now=at(12, 22),
            )  # fmt: skip
