"""The inspector's chat over real HTTP against the sandbox, in the user's words: bound by the
invitation link, only their group's units listed, a checklist item confirmed against what the
records show, the verification session set and announced; on aiogram and on
python-telegram-bot."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from inspection_world import ADMIN, UNITS, at, build_city
from sqlalchemy import select

from bot.sandbox import RunningSandbox
from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from services.inspection_plan import add_member, invite_inspector, plan_cycle
from storage import inspection as store
from storage.db import transaction
from storage.models import (
    Cycle,
    InspectionCheck,
    InspectionMember,
    InspectionPlan,
    Outbox,
    Unit,
    VerificationSession,
    Worker,
    WorkerChange,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtimes"))
from runtime_harness import RunningBot


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(12, 21, 9))


# Both runtimes, as the conversations' other tests over HTTP (tests/runtimes) run.
@pytest.fixture(params=["aiogram", "ptb"])
def runtime(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def bot(runtime: str, sandbox: RunningSandbox, dispatcher) -> AsyncIterator[RunningBot]:
    token = f"{sandbox.state.bot.id}:inspection-test-token"
    running = RunningBot(runtime, token, sandbox.url, dispatcher)
    await running.start()
    yield running
    with contextlib.suppress(Exception):
        await running.stop()


def last_text(messages) -> str:
    said = [m for m in messages if m["from_bot"]]
    return (said[-1]["text"] or "") if said else ""


async def step(client, user, label: str, expect: str) -> list:
    await client.click(user, label)
    return await client.wait_until(user, lambda ms: expect in last_text(ms))


async def joined_this_year(sessions, unit: str) -> None:
    """Two of the unit's workers joined in March: one recruited openly as a 4050 person, one
    about whom the roster says nothing."""
    async with transaction(sessions) as session:
        unit_id = (await session.execute(select(Unit.id).where(Unit.name == unit))).scalar_one()
        found = await session.execute(
            select(Worker).where(Worker.unit_id == unit_id).order_by(Worker.id).limit(2)
        )
        first, second = found.scalars().all()
        first.recruited_by, first.hardship, first.eligible = "open", "older", True
        for worker in (first, second):
            session.add(
                WorkerChange(
                    worker_id=worker.id, unit_id=unit_id, change="joined",
                    on_day=at(3, 2).date(), reason="roster", recorded_at=at(3, 2),
                )
            )  # fmt: skip


async def test_an_inspector_works_their_groups_unit_over_the_sandbox(bot, client, storage):
    await build_city(storage.sessions)
    async with transaction(storage.sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=WorkCalendar())
        member = await add_member(
            session=session, plan=plan, body="group", name="张红勇", position="leader",
            group_number=1,
        )  # fmt: skip
        token = await invite_inspector(session=session, member=member, now=at(12, 20))
        groups = {u.name: u.group for u in await store.units_in_plan(session, plan.id)}
    mine = sorted(name for name, group in groups.items() if group == 1)
    theirs = sorted(name for name, group in groups.items() if group == 2)

    user = await client.create_persona("张红勇", role="inspector")
    await client.send_command(user, "/start", f"inv_{token}")
    await client.wait_until(user, lambda ms: "考核组成员（市考核组）" in last_text(ms))
    shown = await step(client, user, "考核检查：本组单位", "本组负责的单位")
    labels = [b["text"] for row in shown[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert all(any(label.startswith(name) for label in labels) for name in mine)
    assert not any(label.startswith(name) for name in theirs for label in labels)

    unit = max(mine, key=lambda name: UNITS[name][0])  # one with newcomers to show
    await step(client, user, next(label for label in labels if label.startswith(unit)), "检查清单")
    await step(client, user, "▫️ 岗位设定", f"岗位指标 {UNITS[unit][0] + 1} 个")
    await step(client, user, "✅ 符合", "检查结果：符合")
    await step(client, user, "返回检查清单", "✅ 岗位设定：符合")
    await joined_this_year(storage.sessions, unit)
    shown = await step(client, user, "▫️ 人员招录", "需核查（⚠️）：1 人")
    assert "⚠️ 王*1（2026年3月2日进入）：未填写招录方式；未填写是否符合条件" in last_text(shown)
    assert "✅ 王*0（2026年3月2日进入）：公开招聘；符合条件（大龄失业人员" in last_text(shown)
    await step(client, user, "返回检查清单", "✅ 岗位设定：符合")
    await step(client, user, "人员核对：时间和地点", "请在一行内输入日期、时间和地点")
    await client.send_text(user, "12-23 09:30 县人社局三楼会议室")
    await client.wait_until(user, lambda ms: "已通知" in last_text(ms))

    async with storage.sessions() as session:
        check = (await session.execute(select(InspectionCheck))).scalar_one()
        planned = (await session.execute(select(VerificationSession))).scalar_one()
        told = (await session.execute(select(Outbox.chat_id))).scalars().all()
    assert (check.item, check.result) == ("posts", "ok")
    assert planned.place == "县人社局三楼会议室"
    assert UNITS[unit][1] in told  # the unit's contact


async def test_the_administrator_sets_the_period_and_invites_a_member_over_the_sandbox(
    bot, client, storage
):
    await build_city(storage.sessions, tasks=False)
    async with transaction(storage.sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        await plan_cycle(session=session, cycle=cycle, calendar=WorkCalendar())
    admin = await client.create_persona("管理员", role="admin", id=ADMIN)
    await client.send_command(admin, "/start")
    await client.wait_until(admin, lambda ms: bool(last_text(ms)))
    await step(client, admin, "考核检查方案", "2026 年度考核检查")
    await step(client, admin, "修改检查时间", "目前检查时间为")
    await client.send_text(admin, "12月22日至12月24日")
    await client.wait_until(admin, lambda ms: "检查时间已改为2026年12月22日" in last_text(ms))
    await step(client, admin, "返回检查方案", "2026 年度考核检查")
    await step(client, admin, "考核组成员与邀请", "各考核组成员")
    await step(client, admin, "为第2组添加成员", "请发送其姓名")
    await client.send_text(admin, "田培革")
    await client.wait_until(admin, lambda ms: "职务" in last_text(ms))
    await client.send_text(admin, "市人力资源和社会保障局副局长")
    await client.wait_until(admin, lambda ms: "所在部门" in last_text(ms))
    await step(client, admin, "人社", "在第2组担任")
    await step(client, admin, "副组长", "邀请：尚未邀请")
    shown = await step(client, admin, "生成邀请链接", "start=inv_")
    assert "田培革" in last_text(shown)

    async with storage.sessions() as session:
        plan = (await session.execute(select(InspectionPlan))).scalar_one()
        member = (await session.execute(select(InspectionMember))).scalar_one()
    assert (plan.starts_on.day, plan.due_on.day) == (22, 24)
    assert (member.name, member.position, member.department) == ("田培革", "deputy", "hr")
