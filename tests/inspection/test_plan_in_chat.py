"""The plan's period and people in the administrator's chat (issue 15, point 1): the period
typed and read on the working-day calendar, nonsense refused with nothing changed; a group
member added with post, department and position, their invitation made through the same use
case as `gongshi inspection invite`, and removed, their access ending with it. Audited; admin
only. Rules as domain tests; use cases on SQLite and PostgreSQL; the chat in the user's words."""

from __future__ import annotations

from datetime import date

import pytest
from driver import Chat
from inspection_world import ADMIN, BUREAU, UNITS, at, build_city, task_of
from sqlalchemy import select

from domain.inspection import REASON_DUE_BEFORE_START, PlanError
from domain.inspection_window import (
    REASON_FORMAT,
    REASON_NO_DATE,
    REASON_NO_WORKDAY,
    REASON_TOO_LONG,
    REASON_YEAR,
    parse_window,
)
from domain.workdays import WorkCalendar
from services.commands import refresh_chat_menu
from services.inspection_plan import (
    add_member,
    invite_inspector,
    plan_cycle,
    remove_member,
    set_window,
)
from storage import inspection as store
from storage.db import transaction
from storage.invitations import redeem_invitation
from storage.models import (
    AuditLog,
    Cycle,
    InspectionMember,
    InspectionPlan,
    Invitation,
    Official,
    Outbox,
    RoleBinding,
)

CALENDAR = WorkCalendar()
CITY = next(iter(UNITS))


@pytest.mark.parametrize(
    ("text", "starts", "due", "moved"),
    [
        ("12-21 12-25", date(2026, 12, 21), date(2026, 12, 25), (None, None)),
        ("12月21日至12月24日", date(2026, 12, 21), date(2026, 12, 24), (None, None)),
        # 19 and 26 December 2026 are Saturdays: onto the working days inside the period.
        ("2026-12-19 ~ 2026-12-26", date(2026, 12, 21), date(2026, 12, 25), (19, 26)),
        ("12/28-1/6", date(2026, 12, 28), date(2027, 1, 6), (None, None)),
    ],
)
def test_a_period_is_read_on_the_working_day_calendar(text, starts, due, moved) -> None:
    chosen = parse_window(text, year=2026, calendar=CALENDAR)
    assert (chosen.window.starts_on, chosen.window.due_on) == (starts, due)
    typed = (chosen.typed_start, chosen.typed_due)
    assert tuple(day.day if day else None for day in typed) == moved


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("下周", REASON_FORMAT),
        ("12-21", REASON_FORMAT),
        ("12-21 12-25 12-28", REASON_FORMAT),
        ("从12-21 12-25", REASON_FORMAT),
        ("12-21 " + "x" * 80, REASON_FORMAT),
        ("2-30 3-2", REASON_NO_DATE),
        ("12-25 12-21", REASON_DUE_BEFORE_START),
        ("2025-12-21 2025-12-25", REASON_YEAR),
        ("10-08 12-25", REASON_TOO_LONG),
        ("12-26 12-27", REASON_NO_WORKDAY),  # a Saturday and a Sunday
    ],
)
def test_nonsense_is_refused_with_its_reason(text, reason) -> None:
    with pytest.raises(PlanError) as refused:
        parse_window(text, year=2026, calendar=CALENDAR)
    assert refused.value.reason == reason


async def test_the_period_and_a_member_change_through_the_use_cases(any_storage) -> None:
    sessions = any_storage.sessions
    city = await build_city(sessions)
    async with transaction(sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=CALENDAR)
        chosen = parse_window("12-22 12-24", year=2026, calendar=CALENDAR)
        await set_window(session=session, plan=plan, window=chosen.window)
        member = await add_member(
            session=session, plan=plan, body="group", name="许睿", post="干部",
            department="人社", group_number=2,
        )  # fmt: skip
        used = await invite_inspector(session=session, member=member, now=at(12, 20))
        await redeem_invitation(session=session, token=used, user_id=7300000009, now=at(12, 20))
        await invite_inspector(session=session, member=member, now=at(12, 20))  # a second link
    verification = await task_of(sessions, city.units[CITY], "verification")
    assert (verification.starts_on, verification.due_on) == (date(2026, 12, 22), date(2026, 12, 24))

    async with transaction(sessions) as session:
        member = (await session.execute(select(InspectionMember))).scalar_one()
        official_id = member.official_id
        assert await remove_member(session=session, member=member, now=at(12, 21)) == 1
    async with sessions() as session:
        plan = (await session.execute(select(InspectionPlan))).scalar_one()
        left = (await session.execute(select(InspectionMember))).scalars().all()
        binding = (
            await session.execute(select(RoleBinding).where(RoleBinding.role == "inspector"))
        ).scalar_one()
        links = (await session.execute(select(Invitation))).scalars().all()
        official = await session.get(Official, official_id)
        told = (await session.execute(select(Outbox))).scalars().all()
        actions = (await session.execute(select(AuditLog.action))).scalars().all()
        place = await store.inspector_place(session, official_id)
    assert (plan.starts_on, plan.due_on) == (date(2026, 12, 22), date(2026, 12, 24))
    assert left == [] and place is None
    assert binding.revoked_at is not None and not official.active
    assert all(link.used_at is not None or link.expires_at <= at(12, 21) for link in links)
    notices = [m for m in told if m.kind == "notice"]  # not the menus set again
    removed = [m.chat_id for m in notices if "不再是第2考核组成员" in m.payload["text"]]
    assert removed == [7300000009]
    for action in ("inspection_window_set", "inspection_member_removed", "inspector_invited"):
        assert action in actions


async def menus_of(session, user_id: int) -> list[list[str]]:
    """The commands of each "/" menu queued for ``user_id``'s chat, oldest first."""
    rows = await session.execute(
        select(Outbox)
        .where(Outbox.method == "setMyCommands", Outbox.chat_id == user_id)
        .order_by(Outbox.id)
    )
    return [[c["command"] for c in row.payload["params"]["commands"]] for row in rows.scalars()]


async def test_a_removed_inspector_loses_the_inspection_command_from_their_menu(any_storage):
    sessions = any_storage.sessions
    await build_city(sessions, tasks=False)
    user = 7300000011
    async with transaction(sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=CALENDAR)
        member = await add_member(
            session=session, plan=plan, body="group", name="许睿", group_number=1
        )
        token = await invite_inspector(session=session, member=member, now=at(12, 20))
        await redeem_invitation(session=session, token=token, user_id=user, now=at(12, 20))
        await refresh_chat_menu(session=session, user_ids=[user])  # as the invitation does
        bound = await menus_of(session, user)
    assert bound and all("inspection" in menu for menu in bound)

    async with transaction(sessions) as session:
        member = (await session.execute(select(InspectionMember))).scalar_one()
        await remove_member(session=session, member=member, now=at(12, 21))
    async with sessions() as session:
        after = (await menus_of(session, user))[len(bound) :]
    assert len(after) == len(bound)  # each language's menu set again
    assert all(menu[0] == "start" and "inspection" not in menu for menu in after)


async def test_the_administrator_sets_the_period_and_the_people_in_chat(storage, dispatcher):
    await build_city(storage.sessions, tasks=False)
    admin = Chat(dispatcher, ADMIN)
    await admin.send("/start")
    await admin.click("考核检查方案")
    await admin.click("制定检查方案（两个考核组，按人数均衡分配）")
    await admin.click("修改检查时间")
    assert admin.last.startswith("目前检查时间为2026年12月21日（周一）至2026年12月25日（周五）。")
    await admin.send("12-25 12-22")
    assert admin.last.splitlines() == [
        "检查的完成日期（2026年12月22日（周二））不能早于开始日期（2026年12月25日（周五））。",
        "未作任何修改。请重新发送两个日期，或发送 /cancel 取消。",
    ]
    async with storage.sessions() as session:
        plan = (await session.execute(select(InspectionPlan))).scalar_one()
    assert (plan.starts_on, plan.due_on) == (date(2026, 12, 21), date(2026, 12, 25))  # kept
    await admin.send("12月22日至12月27日")
    assert admin.last.splitlines() == [
        "检查时间已改为2026年12月22日（周二）至2026年12月25日（周五）。"
        "各单位未完成的人员核对和社保缴费凭证任务随之调整。",
        "2026年12月27日（周日）不是工作日：检查完成日期提前至其前一个工作日。",
    ]
    await admin.click("返回检查方案")
    assert admin.last.startswith(
        "2026 年度考核检查：2026年12月22日（周二）至2026年12月25日（周五）。"
    )

    await admin.click("考核组成员与邀请")
    await admin.click("＋ 为第1组添加成员")
    await admin.send("张\n红勇")
    assert "姓名" in admin.last  # refused: a name is one line
    await admin.send("张红勇")
    await admin.send("市人力资源和社会保障局副局长")
    await admin.click("人社")
    await admin.click("组长")
    assert admin.last.splitlines()[2:] == [
        "张红勇，第1组组长",
        "职务：市人力资源和社会保障局副局长",
        "部门：人社",
        "邀请：尚未邀请",
    ]
    await admin.click("生成邀请链接")
    assert f"https://t.me/{storage.settings.bot_username}?start=inv_" in admin.last
    await admin.click("返回成员列表")
    assert "组长：张红勇 市人力资源和社会保障局副局长（人社）— 已发邀请，链接尚未使用" in admin.last

    desk = Chat(dispatcher, BUREAU)
    async with storage.sessions() as session:
        member = (await session.execute(select(InspectionMember))).scalar_one()
    for data in (f"ipm:removed:0:{member.id}", "ipm:window", "ipc:department:hr"):
        await desk.press(data)
        assert desk.answers[-1] == "您没有权限进行此操作。"
    await admin.click("张红勇")
    await admin.click("移出考核组")
    assert admin.last.startswith("确认将张红勇移出第1组？")
    await admin.click("确认移出")
    assert admin.answers[-1] == "已将张红勇移出第1组。"
    assert "张红勇" not in admin.last
    async with storage.sessions() as session:
        left = (await session.execute(select(InspectionMember))).scalars().all()
    assert left == []
