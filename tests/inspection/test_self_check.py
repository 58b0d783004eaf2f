"""The unit's self-check (point 3) in the user's words: the contact fills it from the unit's
self_check task (head, person, each item, files) and it goes to the unit's inspection group,
closing the task; an overdue self-check is escalated to the bureau and to the group."""

from __future__ import annotations

from datetime import date

import pytest
from driver import Chat
from inspection_world import BUREAU, UNITS, at, build_city, plan_with_inspectors, task_of
from sqlalchemy import select

from domain.clock import FixedClock
from domain.deadlines import DueReminder
from services.tasks import send_reminder
from storage.db import transaction
from storage.models import InspectionSelfCheck, Outbox, UnitTask

CITY, PARKS = "县城市管理局", "县园林绿化所"
MINE, OTHERS = 7300000001, 7300000002


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(12, 16, 10))


async def _plan(storage, city):
    await plan_with_inspectors(
        storage.sessions, city, groups={CITY: 1, PARKS: 2},
        inspectors=[(MINE, 1, "member"), (OTHERS, 2, "member")], now=at(12, 15),
    )  # fmt: skip
    return await task_of(storage.sessions, city.units[CITY], "self_check")


async def test_the_unit_submits_its_self_check_to_its_group(storage, dispatcher):
    city = await build_city(storage.sessions)
    task = await _plan(storage, city)
    contact = Chat(dispatcher, UNITS[CITY][1])
    await contact.send("/start")
    await contact.press(f"ut:done:{task.id}")
    assert contact.last.startswith("迎接市考核组检查的自查。请输入领导本次自查的单位一把手姓名")
    await contact.send("李局长")
    await contact.send("王干事")
    assert contact.last == "岗位设定：自查发现了哪些问题？请输入（最多 500 字）。"
    await contact.click("无")
    await contact.click("无")
    await contact.send("两名人员年中离岗未及时报备")
    await contact.send("已补办减员手续")
    for _ in range(6):  # the other three items: nothing found, nothing corrected
        await contact.click("无")
    assert contact.last.startswith("请发送自查报告及相关材料")
    await contact.upload("自查报告.pdf")
    assert contact.last == "附件已保存（第 1 件，最多 10 件）。"
    await contact.click("提交")
    assert contact.last == "自查情况已上报本单位所在的考核组，谢谢。"

    async with storage.sessions() as session:
        row = (await session.execute(select(InspectionSelfCheck))).scalar_one()
        done = await session.get(UnitTask, task.id)
        told = (await session.execute(select(Outbox))).scalars().all()
    assert (row.head_name, row.done_by_name) == ("李局长", "王干事")
    assert row.items["changes"] == {
        "found": "两名人员年中离岗未及时报备",
        "corrected": "已补办减员手续",
    }
    assert row.items["posts"] == {"found": "无", "corrected": "无"}
    assert done.state == "done" and done.file_name == "自查报告.pdf"
    to_group = [m for m in told if m.chat_id in (MINE, OTHERS)]
    assert [m.chat_id for m in to_group] == [MINE]  # the unit's group, not the other
    assert "自查发现问题 1 项" in to_group[0].payload["text"]

    inspector = Chat(dispatcher, MINE)
    await inspector.send("/start")
    await inspector.press(f"ins:item:{city.units[CITY]}:changes")
    assert "单位自查：发现问题：两名人员年中离岗未及时报备；整改情况：已补办减员手续。" in (
        inspector.last
    )


async def test_an_overdue_self_check_is_escalated_to_the_bureau_and_the_group(any_storage):
    city = await build_city(any_storage.sessions)
    task = await _plan(any_storage, city)
    async with transaction(any_storage.sessions) as session:
        task = await session.get(UnitTask, task.id)
        told = await send_reminder(
            session=session, task=task, unit_name=CITY, now=at(12, 22, 9),
            reminder=DueReminder("escalation", date(2026, 12, 22), "bureau", 2),
        )  # fmt: skip
        rows = (await session.execute(select(Outbox.chat_id))).scalars().all()
    assert told == 2 and sorted(rows) == sorted([BUREAU, MINE])
