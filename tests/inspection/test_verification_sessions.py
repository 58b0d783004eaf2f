"""Staff verification sessions (point 4) in the user's words: the group sets the place and
time, the unit's contact and every bound worker are told and reminded the day before, the
workers the bot cannot reach are flagged to the group; at the session a worker present, one
excused and kept, one absent and struck off (told), with a warning for one never told."""

from __future__ import annotations

import pytest
from driver import Chat
from inspection_world import UNITS, at, build_city
from sqlalchemy import select

from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from notices.inspection import sweep_verification_sessions
from services.inspection_plan import add_member, invite_inspector, move_unit, plan_cycle
from storage.db import transaction
from storage.models import Cycle, Outbox, Verification, Worker

INSPECTOR = 7300000001
CITY = "县城市管理局"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(12, 21, 8))


async def outbox(storage, since: int = 0) -> list[Outbox]:
    async with storage.sessions() as session:
        rows = await session.execute(select(Outbox).where(Outbox.id > since).order_by(Outbox.id))
        return list(rows.scalars())


async def test_a_session_announced_reminded_and_held(storage, dispatcher, clock):
    city = await build_city(storage.sessions)
    async with transaction(storage.sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=WorkCalendar())
        await move_unit(session=session, plan=plan, unit_id=city.units[CITY], group_number=1)
        member = await add_member(
            session=session, plan=plan, body="group", name="张红勇", group_number=1
        )
        token = await invite_inspector(session=session, member=member, now=at(12, 20))
    me = Chat(dispatcher, INSPECTOR)
    await me.send(f"/start inv_{token}")
    before = (await outbox(storage))[-1].id
    await me.click("考核检查：本组单位")
    await me.click(next(b for b in me.buttons() if b.startswith(CITY)))
    await me.click("人员核对：时间和地点")
    assert me.last.startswith(f"{CITY}：人员核对。请在一行内输入日期、时间和地点")
    await me.send("12-28 09:00 县人社局三楼会议室")
    assert me.last == "核对时间须在考核检查期间（2026年12月21日（周一）至2026年12月25日（周五））。"
    await me.send("12-22 09:00 县人社局三楼会议室")
    _workers, contact = UNITS[CITY]
    assert me.last == (
        f"{CITY}人员核对：12月22日 09:00，县人社局三楼会议室。已通知 3 人（单位联系人和已绑定的"
        "从业人员）；无法通过本系统通知的人员：3 名。"
    )
    told = await outbox(storage, before)
    announced = {m.chat_id for m in told if "携带本人身份证、户口本" in m.payload["text"]}
    bound = {city.worker_users[w] for w in city.workers[CITY][:2]}
    assert announced == {contact} | bound
    [flag] = [m for m in told if m.chat_id == INSPECTOR]
    assert "有 3 名人员无法通过本系统通知" in flag.payload["text"]
    assert "王*2" in flag.payload["text"] and "王小2" not in flag.payload["text"]

    # The day before, from 9:00: one reminder per chat, however often the sweep runs.
    clock.set(at(12, 21, 8, 30))
    assert await sweep_verification_sessions(sessions=storage.sessions, clock=clock) == 0
    clock.set(at(12, 21, 9, 5))
    await sweep_verification_sessions(sessions=storage.sessions, clock=clock)
    await sweep_verification_sessions(sessions=storage.sessions, clock=clock)
    reminded = [m for m in await outbox(storage, before) if m.payload["text"].startswith("提醒")]
    assert sorted(m.chat_id for m in reminded) == sorted({contact} | bound)

    # At the session.
    clock.set(at(12, 22, 9, 10))
    last = (await outbox(storage))[-1].id
    await me.click("返回检查清单")
    await me.click("人员核对：现场登记")
    assert me.last.startswith(f"{CITY} — 2026 年度人员核对（已记录 0/5）")
    await me.click("✅ 1. 王*0")
    await me.click("📝 2")
    assert me.last == "王*1请假：请输入原因（最多 200 字）。"
    await me.send("住院治疗，有医院证明")
    assert "2. 王*1 — 请假：住院治疗，有医院证明" in me.last
    await me.click("❌ 3. 王*2")
    assert "注意：该人员未绑定本系统，可能未收到核对通知" in me.last
    await me.click("确认未到场")
    assert "3. 王*2 — 未到场 — 按空岗处理，已除名" in me.last
    await me.click("❌ 1. 王*0")  # a mistake, then confirmed: a bound worker absent
    assert "注意" not in me.last
    await me.click("确认未到场")
    await me.click("返回检查清单")
    assert me.last.startswith(f"{CITY}：2026 年度考核检查清单")

    async with storage.sessions() as session:
        rows = {
            v.worker_id: (v.present, v.excuse, v.papers_seen)
            for v in (await session.execute(select(Verification))).scalars()
        }
        status = {w.id: w.status for w in (await session.execute(select(Worker))).scalars()}
    first, second, third = city.workers[CITY][:3]
    assert rows[second] == (False, "住院治疗，有医院证明", False)
    assert status[second] == "on_duty"  # excused: kept
    assert status[third] == "removed" and status[first] == "removed"
    after = await outbox(storage, last)
    to_worker = [m for m in after if m.chat_id == city.worker_users[first]]
    assert len(to_worker) == 1 and "您未按要求到场核对" in to_worker[0].payload["text"]
    assert sum(1 for m in after if m.chat_id == contact) == 2  # the unit: both strike-offs
