"""The inspector's checklist in chat, in the user's words: only their group's units, each
item with what the records show, methods, result, note and file; a forged press for another
group's unit is refused and changes nothing."""

from __future__ import annotations

import pytest
from driver import Chat
from inspection_world import ADMIN, BUREAU, UNITS, at, build_city
from sqlalchemy import func, select
from testsupport import record_procedure

from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from services.attendance import record_and_tell
from services.inspection_plan import add_member, invite_inspector, plan_cycle
from storage import inspection as store
from storage.db import transaction
from storage.models import AuditLog, Cycle, InspectionCheck, Outbox, Worker

INSPECTOR, OTHER = 7300000001, 7300000002


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(12, 21, 9))


@pytest.fixture
async def planned(storage):
    city = await build_city(storage.sessions)
    tokens = {}
    async with transaction(storage.sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=WorkCalendar())
        for number, name in ((1, "张红勇"), (2, "田培革")):
            member = await add_member(
                session=session, plan=plan, body="group", name=name, department="人社",
                position="leader", group_number=number,
            )  # fmt: skip
            tokens[number] = await invite_inspector(session=session, member=member, now=at(12, 20))
        units = {u.name: u.group for u in await store.units_in_plan(session, plan.id)}
        # One worker of the city bureau was absent at an earlier verification.
        absent = await session.get(Worker, city.workers["县城市管理局"][4])
        await record_and_tell(
            session=session, cycle_id=city.cycle_id, worker=absent, present=False, now=at(12, 18)
        )
    return city, tokens, units


async def test_an_inspector_fills_the_checklist_of_their_groups_unit(storage, dispatcher, planned):
    city, tokens, units = planned
    me = Chat(dispatcher, INSPECTOR)
    await me.send(f"/start inv_{tokens[1]}")
    assert "考核组成员（市考核组）" in me.last
    await me.click("考核检查：本组单位")
    mine = sorted(name for name, group in units.items() if group == 1)
    theirs = sorted(name for name, group in units.items() if group == 2)
    assert me.last.startswith("2026 年度考核检查，第1组：2026年12月21日（周一）至2026年12月25日")
    labels = me.buttons()
    assert all(any(label.startswith(name) for label in labels) for name in mine)
    assert not any(label.startswith(name) for label in labels for name in theirs)

    await me.click(next(label for label in labels if label.startswith("县城市管理局")))
    assert me.last.splitlines()[0] == "县城市管理局：2026 年度考核检查清单"
    assert "▫️ 人员增减变动：尚未检查" in me.last
    await me.click("▫️ 人员增减变动")
    assert "本年度减少：1 名。" in me.last
    assert "王*4：人员核对未到场，已除名" in me.last  # masked
    assert "检查方式：听汇报、人员核对" in me.last
    await me.click("☐ 实地查看")
    assert "检查方式：听汇报、实地查看、人员核对" in me.last
    await me.click("⚠️ 存在问题")
    assert "检查结果：存在问题" in me.last
    await me.click("填写说明或上传附件")
    await me.send("x" * 1001)
    assert me.last == "说明超过 1000 字，未保存。"
    await me.upload("名册.pdf")
    assert me.last == "附件已保存（第 1 件，最多 5 件）。"
    await me.send("1 人未到场核对，已按空岗除名。")
    assert "说明：1 人未到场核对，已按空岗除名。" in me.last and "附件：1 件" in me.last
    await me.click("返回检查清单")
    assert "⚠️ 人员增减变动：存在问题" in me.last

    # Another group's unit, by a forged button: refused, audited, nothing recorded.
    other_unit = city.units[theirs[0]]
    await me.press(f"ins:r:{other_unit}:posts:ok")
    assert me.answers[-1] == "该单位不由本组考核。"
    await me.press(f"ins:unit:{other_unit}")
    assert me.answers[-1] == "该单位不由本组考核。"
    async with storage.sessions() as session:
        checks = (await session.execute(select(InspectionCheck))).scalars().all()
        refused = await session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "inspection_scope_refused")
        )
    assert [(c.unit_id, c.item, c.result) for c in checks] == [
        (city.units["县城市管理局"], "changes", "problem")
    ]
    assert refused == 2


async def test_only_inspectors_reach_the_checklist(storage, dispatcher, planned):
    city, _tokens, _units = planned
    for user in (BUREAU, ADMIN, OTHER):
        someone = Chat(dispatcher, user)
        await someone.press(f"ins:unit:{city.units['县城市管理局']}")
        assert someone.answers[-1] == "您没有权限进行此操作。"


async def test_the_record_of_a_unit_only_for_its_group(storage, dispatcher, planned):
    city, tokens, units = planned
    me = Chat(dispatcher, INSPECTOR)
    await me.send(f"/start inv_{tokens[1]}")
    mine = next(name for name, group in units.items() if group == 1)
    theirs = next(name for name, group in units.items() if group == 2)
    await me.send("/inspection")
    assert me.last.startswith("2026 年度考核检查，第1组")
    outcome = await me.press(f"inr:pdf:{city.units[mine]}")
    [document] = [r for r in outcome.replies if hasattr(r, "content")]
    assert document.filename == f"检查记录_{mine}_2026.pdf"
    assert document.content.startswith(b"%PDF")
    outcome = await me.press(f"inr:pdf:{city.units[theirs]}")
    assert me.answers[-1] == "该单位不由本组考核。"
    assert not [r for r in outcome.replies if hasattr(r, "content")]
    outcome = await me.press("inr:xlsx")  # the summary is the bureau's
    assert not [r for r in outcome.replies if hasattr(r, "content")]
    bureau = Chat(dispatcher, BUREAU)
    await bureau.send("/start")
    outcome = await bureau.click("考核检查：汇总图表与汇总表（XLSX）")
    chart, summary = [r for r in outcome.replies if hasattr(r, "content")]
    assert chart.as_photo and chart.content.startswith(b"\x89PNG")
    assert chart.filename == "考核检查汇总图_2026.png"
    assert summary.filename == "考核检查汇总_2026.xlsx"


async def test_a_unit_sees_only_its_own_results_once_published(storage, dispatcher, planned):
    city, tokens, units = planned
    me = Chat(dispatcher, INSPECTOR)
    await me.send(f"/start inv_{tokens[1]}")
    mine = next(name for name, group in units.items() if group == 1)
    other = next(name for name, group in units.items() if group == 1 and name != mine)
    for unit, note in ((mine, "指标使用规范"), (other, "另一单位的说明")):
        await me.press(f"ins:r:{city.units[unit]}:posts:ok")
        await me.press(f"ins:note:{city.units[unit]}:posts")
        await me.send(note)
    contact = Chat(dispatcher, UNITS[mine][1])
    await contact.send("/start")
    await contact.click("考核检查结果")
    assert contact.last == "考核组尚未公布贵单位的检查结果。"

    await me.press(f"inp:publish:{city.units[mine]}")
    assert me.answers[-1] == "已向单位公布，并通知了单位联系人。"
    await contact.click("返回菜单")
    await contact.click("考核检查结果")
    assert contact.last.startswith(f"{mine}：2026 年度考核检查结果（第1组，2026年12月21日")
    assert "✅ 岗位设定：符合" in contact.last and "说明：指标使用规范" in contact.last
    assert "另一单位的说明" not in contact.last
    theirs = Chat(dispatcher, UNITS[other][1])
    await theirs.send("/start")
    await theirs.click("考核检查结果")
    assert theirs.last == "考核组尚未公布贵单位的检查结果。"  # not published for it
    async with storage.sessions() as session:
        told = [
            m.chat_id
            for m in (await session.execute(select(Outbox))).scalars()
            if "已公布贵单位的检查结果" in m.payload.get("text", "")
        ]
    assert told == [UNITS[mine][1]]


async def test_the_management_item_shows_the_units_procedure_record(storage, dispatcher, planned):
    _, tokens, _ = planned
    me = Chat(dispatcher, INSPECTOR)
    await me.send(f"/start inv_{tokens[1]}")

    await me.click("考核检查：本组单位")
    await me.click(next(b for b in me.buttons() if b.startswith("县城市管理局")))
    await me.click("▫️ 人员管理")
    assert "考核程序：缺少个人述职、谈话考核、民主测评、集体研究" in me.last
    await record_procedure(storage)
    await me.click("返回检查清单")
    await me.click("▫️ 人员管理")
    assert "考核程序（五（一）至（四））：已完整记录。" in me.last and "缺少" not in me.last
