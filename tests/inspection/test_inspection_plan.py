"""The inspection plan of a cycle (point 1): window, groups split by workers, people, an
inspector bound to their group by invitation; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from driver import Chat
from inspection_world import ADMIN, BUREAU, UNITS, at, build_city, task_of
from sqlalchemy import func, select

from domain.inspection import PlanError
from domain.workdays import WorkCalendar
from services.inspection_plan import add_member, invite_inspector, move_unit, plan_cycle
from services.tasks import create_tasks
from storage import inspection as store
from storage.db import transaction
from storage.invitations import redeem_invitation
from storage.models import Cycle, InspectionAssignment, RoleBinding, Unit


def _task_plan():
    from domain.deadlines import gongshi_window, plan_tasks
    from notices.service import deadline_config

    config = deadline_config()
    window = gongshi_window(year=2026, config=config, calendar=WorkCalendar())
    return plan_tasks(year=2026, config=config, calendar=WorkCalendar(), window=window)


async def _plan(sessions, **kw):
    async with transaction(sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=WorkCalendar(), **kw)
        return plan.id, await store.units_in_plan(session, plan.id)


async def test_the_plan_splits_every_unit_into_one_group_balanced_by_workers(any_storage):
    city = await build_city(any_storage.sessions, tasks=False)
    plan_id, units = await _plan(any_storage.sessions)
    groups = {u.name: u.group for u in units}
    assert set(groups) == set(UNITS) and None not in groups.values()
    loads = {n: sum(u.workers for u in units if u.group == n) for n in (1, 2)}
    assert sorted(loads.values()) == [5, 6]  # 11 workers: the best split
    assert groups["县城市管理局"] != groups["县园林绿化所"]

    # Running it again changes nothing; a new unit goes where the load is lightest.
    async with transaction(any_storage.sessions) as session:
        session.add(Unit(name="县新设单位", quota=0))
    again_id, again = await _plan(any_storage.sessions)
    assert again_id == plan_id
    assert {u.name: u.group for u in again if u.name in groups} == groups
    lighter = min(loads, key=lambda n: loads[n])
    assert {u.name: u.group for u in again}["县新设单位"] == lighter

    async with transaction(any_storage.sessions) as session:
        count = await session.scalar(select(func.count()).select_from(InspectionAssignment))
        plan = await store.plan_of(session, city.cycle_id)
        # 2026: 19 and 26 December fall on Saturdays.
        assert (plan.starts_on, plan.due_on) == (date(2026, 12, 21), date(2026, 12, 25))
        moved = await move_unit(
            session=session, plan=plan, unit_id=city.units["县城市管理局"], group_number=lighter
        )
        assert moved
        assert not await move_unit(
            session=session, plan=plan, unit_id=city.units["县城市管理局"], group_number=3
        )
    assert count == len(UNITS) + 1
    _, after = await _plan(any_storage.sessions)
    assert {u.name: u.group for u in after}["县城市管理局"] == lighter


async def test_a_window_and_group_count_of_the_cycles_own(any_storage):
    city = await build_city(any_storage.sessions)
    _, units = await _plan(
        any_storage.sessions, groups=3, starts_on=date(2026, 12, 18), due_on=date(2026, 12, 30)
    )
    assert {u.group for u in units} == {1, 2, 3}
    # The unit's verification and voucher tasks follow the inspection's window.
    verification = await task_of(any_storage.sessions, city.units["县城市管理局"], "verification")
    assert (verification.starts_on, verification.due_on) == (date(2026, 12, 18), date(2026, 12, 30))
    # Creating the cycle's tasks again keeps them on the plan's window.
    async with transaction(any_storage.sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        await create_tasks(session=session, cycle=cycle, plan=_task_plan())
    again = await task_of(any_storage.sessions, city.units["县城市管理局"], "verification")
    assert again.due_on == date(2026, 12, 30)
    with pytest.raises(PlanError):
        await _plan(any_storage.sessions, due_on=date(2026, 12, 1))


async def test_an_inspector_is_bound_by_invitation_to_their_group(any_storage):
    await build_city(any_storage.sessions, tasks=False)
    await _plan(any_storage.sessions)
    async with transaction(any_storage.sessions) as session:
        plan = (await session.execute(select(store.InspectionPlan))).scalar_one()
        await add_member(
            session=session, plan=plan, body="leading", name="胡海斌", post="副市长",
            department="其他", position="leader",
        )  # fmt: skip
        leader = await add_member(
            session=session, plan=plan, body="group", name="张红勇", post="人社局副局长",
            department="人社", position="leader", group_number=1,
        )  # fmt: skip
        with pytest.raises(PlanError):
            await add_member(
                session=session, plan=plan, body="group", name="某人", department="公安",
                group_number=1,
            )  # fmt: skip
        token = await invite_inspector(session=session, member=leader, now=at(12, 10))
    async with transaction(any_storage.sessions) as session:
        binding = await redeem_invitation(
            session=session, token=token, user_id=7300000001, now=at(12, 11)
        )
        member = await store.member_of(session, plan_id=plan.id, official_id=binding.official_id)
        assert binding.role == "inspector"
        assert member is not None and member.name == "张红勇"
        assert await store.group_user_ids(session, member.group_id) == [7300000001]
        # The link works once.
        again = await redeem_invitation(
            session=session, token=token, user_id=7300000002, now=at(12, 11)
        )
        assert again is None
        bound = await session.scalar(
            select(func.count()).select_from(RoleBinding).where(RoleBinding.role == "inspector")
        )
    assert bound == 1


async def test_the_administrator_makes_and_adjusts_the_plan_in_chat(storage, dispatcher):
    city = await build_city(storage.sessions, tasks=False)
    admin = Chat(dispatcher, ADMIN)
    await admin.send("/start")
    await admin.click("考核检查方案")
    assert admin.last == "2026 年度还没有检查方案。"
    await admin.click("制定检查方案（两个考核组，按人数均衡分配）")
    assert admin.last.splitlines() == [
        "2026 年度考核检查：2026年12月21日（周一）至2026年12月25日（周五）。",
        "第1组：2 个单位，6 名人员",
        "第2组：2 个单位，5 名人员",
    ]
    await admin.click("调整单位分组")
    await admin.click("县交通协管站（第1组）")
    assert admin.last == "县交通协管站：由哪个考核组考核？"
    await admin.click("第2组")
    assert admin.answers[-1] == "县交通协管站已调整由第2组考核。"
    assert "县交通协管站（第2组）" in admin.buttons()
    assert "第2组：3 个单位，6 名人员" in admin.last
    desk = Chat(dispatcher, BUREAU)
    await desk.press(f"ipa:move:{city.units['县交通协管站']}:1:0")
    assert desk.answers[-1] == "您没有权限进行此操作。"
