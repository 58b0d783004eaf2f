"""Unit contacts and bureau staff in chat, in their words: the unit's tasks, marking one done
with its file, the bureau opening that file and reminding a unit by hand."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from notices_world import build_world, dispatcher_for, opened
from sqlalchemy import select

from domain.clock import FixedClock
from storage.models import AuditLog, Outbox, UnitTask

CITY, FOREST = "县城市管理局", "县林业局"
CONTACT, OTHER_CONTACT, OFFICIAL, CITIZEN = 5300000001, 5300000002, 5300000011, 5300000099


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
async def world(storage):
    return await build_world(
        storage.sessions, units={CITY: [CONTACT], FOREST: [OTHER_CONTACT]}, bureau=[OFFICIAL]
    )


async def task_of(storage, unit_id: int, kind: str) -> UnitTask:
    async with storage.sessions() as session:
        found = await session.execute(
            select(UnitTask).where(UnitTask.unit_id == unit_id, UnitTask.kind == kind)
        )
        return found.scalar_one()


async def test_a_contact_sees_the_units_tasks_with_due_dates_and_state(storage, clock, world):
    me = await opened(dispatcher_for(storage, clock), CONTACT)
    await me.press("ut:list")
    assert me.last.startswith("本单位 2026 年度考核任务：")
    assert "本单位考核办法报县就业局备案 — 截止2026年11月30日（周一） — 已逾期" in me.last
    assert "考核组检查前上报自查情况 — 截止2026年12月18日（周五） — 未完成" in me.last
    assert len([b for b in me.buttons() if b[0].isdigit()]) == 10


async def test_marking_a_task_done_with_its_file(storage, clock, world):
    me = await opened(dispatcher_for(storage, clock), CONTACT)
    await me.press("ut:list")
    await me.click(next(b for b in me.buttons() if "自查" in b))
    assert "需附文件：自查报告" in me.last
    await me.click("标记完成（上传文件）")
    assert "请以文件形式发送自查报告" in me.last
    await me.send("已经交了")
    assert me.last == "请以文件形式发送，或发送 /cancel 取消。"
    await me.upload("自查报告.pdf")
    assert any(s.reply.text == "已标记完成，文件已报县就业局存档。" for s in me.shown)
    task = await task_of(storage, world.units[CITY], "self_check")
    assert (task.state, task.file_id, task.file_name, task.done_by) == (
        "done",
        "f-自查报告.pdf",
        "自查报告.pdf",
        CONTACT,
    )
    assert "✅" in me.last  # the list again, the task ticked


async def test_a_task_without_a_file_and_one_nobody_is_concerned_by(storage, clock, world):
    me = await opened(dispatcher_for(storage, clock), CONTACT)
    gongshi = await task_of(storage, world.units[CITY], "gongshi")
    await me.press(f"ut:task:{gongshi.id}")
    await me.click("标记完成")
    assert me.answers[-1] == "已标记完成。"
    talks = await task_of(storage, world.units[CITY], "admonishment_talks")
    await me.press(f"ut:task:{talks.id}")
    await me.click("本单位无此情况")  # no result graded 基本合格 in this unit
    assert me.answers[-1] == "已记录：本单位无相关人员。"
    assert (await task_of(storage, world.units[CITY], "admonishment_talks")).note == (
        "not applicable"
    )


async def test_another_units_task_is_refused_even_with_a_forged_button(storage, clock, world):
    me = await opened(dispatcher_for(storage, clock), CONTACT)
    theirs = await task_of(storage, world.units[FOREST], "self_check")
    await me.press(f"ut:done:{theirs.id}")
    assert me.answers[-1] == "这不是本单位的任务。"
    assert (await task_of(storage, world.units[FOREST], "self_check")).state == "open"
    citizen = await opened(dispatcher_for(storage, clock), CITIZEN)
    await citizen.press("ut:list")
    assert citizen.answers[-1] == "您没有权限进行此操作。"
    await citizen.press("bt:units:0")
    assert citizen.answers[-1] == "您没有权限进行此操作。"


async def test_the_bureau_sees_completion_opens_the_file_and_reminds_by_hand(storage, clock, world):
    dispatcher = dispatcher_for(storage, clock)
    contact = await opened(dispatcher, CONTACT)
    report = await task_of(storage, world.units[CITY], "self_check")
    await contact.press(f"ut:done:{report.id}")
    await contact.upload("自查报告.pdf")

    official = await opened(dispatcher, OFFICIAL)
    await official.press("bt:units:0")
    assert official.last.startswith("2026 年度各单位任务（共 20 项，已完成 1 项")
    assert "县城市管理局：完成 1/10，逾期 3" in official.buttons()
    await official.click("县城市管理局：完成 1/10，逾期 3")
    assert "✅ 考核组检查前上报自查情况" in official.last
    await official.click("📎 考核组检查前上报自查情况")
    assert official.answers[-1] == "文件正在发送给您。"
    await official.click("提醒该单位办理未完成任务")
    assert official.answers[-1] == "已提醒该单位 1 位联系人。"
    async with storage.sessions() as session:
        rows = (await session.execute(select(Outbox).order_by(Outbox.id))).scalars().all()
        audit = {a.action for a in (await session.execute(select(AuditLog))).scalars()}
    document = rows[0]
    assert (document.chat_id, document.method, document.payload["file_id"]) == (
        OFFICIAL,
        "sendDocument",
        "f-自查报告.pdf",
    )
    assert document.priority < rows[1].priority  # the official is waiting for it
    reminders = rows[1:]
    assert reminders and {r.chat_id for r in reminders} == {CONTACT}
    assert all(r.payload["text"].startswith("📣 县就业局提醒") for r in reminders)
    # A second press within the minute adds nothing.
    await official.click("提醒该单位办理未完成任务")
    async with storage.sessions() as session:
        assert len((await session.execute(select(Outbox))).scalars().all()) == len(rows)
    assert {"unit_task_done", "unit_task_file_opened", "unit_task_reminded"} <= audit
