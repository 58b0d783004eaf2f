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
from inspection_world import UNITS, at, build_city
from sqlalchemy import select

from bot.sandbox import RunningSandbox
from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from services.inspection_plan import add_member, invite_inspector, plan_cycle
from storage import inspection as store
from storage.db import transaction
from storage.models import Cycle, InspectionCheck, Outbox, VerificationSession

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

    unit = mine[0]
    await step(client, user, next(label for label in labels if label.startswith(unit)), "检查清单")
    await step(client, user, "▫️ 岗位设定", f"岗位指标 {UNITS[unit][0] + 1} 个")
    await step(client, user, "✅ 符合", "检查结果：符合")
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
