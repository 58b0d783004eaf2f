"""A December of the city's inspection, walked with an injected clock at use-case level, on
SQLite and PostgreSQL: the plan and its split; the self-check reminded, then received by the
unit's group; the verification session announced to the unit and its bound workers and
reminded the day before; attendance with an absentee struck off and an excused worker kept; a
finding confirmed and its effects on the subsidy export; the record (PDF text) and summary
(XLSX) rendered."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from inspection_world import UNITS, at, build_city
from openpyxl import load_workbook
from sqlalchemy import select

from domain.clock import FixedClock
from domain.subsidy import REASON_ABSENT_AT_VERIFICATION, REASON_NOT_ON_DUTY, SubsidyStatus
from domain.verification_sessions import parse_session
from domain.workdays import WorkCalendar
from notices.inspection import sweep_verification_sessions
from notices.reminders import sweep_reminders
from services.inspection_checks import CheckChange, record_check
from services.inspection_findings import decide_finding, record_finding
from services.inspection_plan import add_member, invite_inspector, plan_cycle
from services.inspection_reports import record_pdf, summary_xlsx
from services.inspection_selfcheck import submit_self_check
from services.verification_sessions import record_at_session, set_session
from storage import inspection as store
from storage.db import transaction
from storage.invitations import redeem_invitation
from storage.models import Cycle, Outbox, RoleBinding, UnitTask, Worker
from storage.subsidy import subsidy_rows

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pdftext import pdf_text

CITY = "县城市管理局"
LEADER, MEMBER = 7300000001, 7300000002
CALENDAR = WorkCalendar()


async def _texts(sessions, chat_id: int) -> list[str]:
    async with sessions() as session:
        rows = await session.execute(select(Outbox).where(Outbox.chat_id == chat_id))
        return [m.payload.get("text", "") for m in rows.scalars()]


async def _place(session, user):
    binding = (
        await session.execute(
            select(RoleBinding).where(RoleBinding.user_id == user, RoleBinding.role == "inspector")
        )
    ).scalar_one()
    return await store.inspector_place(session, binding.official_id)


async def test_a_december_of_inspection(any_storage):
    sessions = any_storage.sessions
    city = await build_city(sessions)
    contact = UNITS[CITY][1]
    clock = FixedClock(at(12, 1, 9))

    # 1 December: the plan, two groups split by workers; the city bureau's group gets a leader
    # and a member from 纪检.
    async with transaction(sessions) as session:
        cycle = (await session.execute(select(Cycle))).scalar_one()
        plan = await plan_cycle(session=session, cycle=cycle, calendar=CALENDAR)
        units = {u.name: u.group for u in await store.units_in_plan(session, plan.id)}
        group = units[CITY]
        for user, position, name, department in (
            (LEADER, "leader", "张红勇", "人社"),
            (MEMBER, "member", "李纪", "纪检"),
        ):
            member = await add_member(
                session=session, plan=plan, body="group", name=name, position=position,
                department=department, group_number=group, post="干部",
            )  # fmt: skip
            token = await invite_inspector(session=session, member=member, now=clock.now())
            await redeem_invitation(session=session, token=token, user_id=user, now=clock.now())
    assert set(units.values()) == {1, 2}

    # 15 December, 9:00: the self-check is due on the 18th; the unit is reminded.
    clock.set(at(12, 15, 9, 30))
    await sweep_reminders(sessions=sessions, clock=clock, calendar=CALENDAR)
    assert any("自查" in text for text in await _texts(sessions, contact))

    # 17 December: the unit submits it; its group hears of it.
    clock.set(at(12, 17, 15))
    async with transaction(sessions) as session:
        await submit_self_check(
            session=session, unit_id=city.units[CITY], head_name="李局长", done_by_name="王干事",
            items={"changes": {"found": "一人离岗未报", "corrected": "已补报"}}, files=[],
            user_id=contact, now=clock.now(),
        )  # fmt: skip
    assert any("已上报自查情况" in text for text in await _texts(sessions, LEADER))

    # 21 December: the session is set for the 22nd and announced; reminded from 9:00 today
    # (the day before).
    clock.set(at(12, 21, 8, 30))
    async with transaction(sessions) as session:
        member = await _place(session, MEMBER)
        chosen = parse_session(
            "12-22 09:00 县人社局三楼会议室",
            year=2026,
            starts_on=plan.starts_on,
            due_on=plan.due_on,
        )
        announced = await set_session(
            session=session, place=member, unit_id=city.units[CITY], chosen=chosen,
            user_id=MEMBER, now=clock.now(),
        )  # fmt: skip
    assert (announced.told, announced.unreachable) == (3, 3)
    clock.set(at(12, 21, 9, 1))
    assert await sweep_verification_sessions(sessions=sessions, clock=clock) == 3
    bound = city.workers[CITY][0]
    assert any("提醒：明天" in text for text in await _texts(sessions, city.worker_users[bound]))

    # 22 December: the session. Two present, one excused, one absent (struck off), and the
    # checklist filled; a finding of 不在岗 about another worker, confirmed by the leader.
    clock.set(at(12, 22, 9, 30))
    first, second, third, fourth, fifth = city.workers[CITY]
    async with transaction(sessions) as session:
        member = await _place(session, MEMBER)
        leader = await _place(session, LEADER)
        for worker_id, outcome, excuse in (
            (first, "present", ""),
            (second, "excused", "住院"),
            (third, "absent", ""),
            (fourth, "present", ""),
        ):
            await record_at_session(
                session=session, place=member, worker=await session.get(Worker, worker_id),
                outcome=outcome, user_id=MEMBER, now=clock.now(), excuse=excuse,
            )  # fmt: skip
        for item, result in (("posts", "ok"), ("changes", "problem")):
            await record_check(
                session=session, place=member, unit_id=city.units[CITY], item=item,
                change=CheckChange(result=result), user_id=MEMBER, now=clock.now(),
            )  # fmt: skip
        finding = await record_finding(
            session=session, place=member, unit_id=city.units[CITY], kind="absent",
            description="三次实地查看均不在岗", user_id=MEMBER, now=clock.now(),
            worker_id=fifth,
        )  # fmt: skip
        await decide_finding(
            session=session, place=leader, finding=finding, confirm=True, user_id=LEADER,
            now=clock.now(), calendar=CALENDAR,
        )  # fmt: skip

    async with sessions() as session:
        status = {w.id: w.status for w in (await session.execute(select(Worker))).scalars()}
        cycle = (await session.execute(select(Cycle))).scalar_one()
        rows = {r.name: r for r in await subsidy_rows(session, cycle) if r.unit == CITY}
        names = {w.id: w.name for w in (await session.execute(select(Worker))).scalars()}
        task = (
            await session.execute(
                select(UnitTask).where(
                    UnitTask.unit_id == city.units[CITY], UnitTask.kind == "self_check"
                )
            )
        ).scalar_one()
        plan = await store.plan_of(session, cycle.id)
        record = await record_pdf(
            session=session, plan=plan, cycle=cycle, unit_id=city.units[CITY], language="zh",
            font_file=None,
        )  # fmt: skip
        summary = await summary_xlsx(session=session, plan=plan, cycle=cycle, language="zh")
    assert task.state == "done"
    assert status[second] == "on_duty" and status[third] == "removed"
    assert rows[names[second]].subsidy == SubsidyStatus.CONTINUE  # excused: kept
    assert rows[names[third]].reason == REASON_ABSENT_AT_VERIFICATION
    assert rows[names[fifth]].subsidy == SubsidyStatus.STOP
    assert rows[names[fifth]].reason == REASON_NOT_ON_DUTY

    file_name, content = record
    assert file_name == f"检查记录_{CITY}_2026.pdf"
    text = pdf_text(content).replace("\n", "")
    for expected in (
        "公益性岗位考核检查记录",
        f"第{group}组",
        "张红勇",
        "人员增减变动",
        "存在问题",
        "在册 4 名；到场 2 名；请假 1 名；无故未到并除名 1 名。",
        "不在岗",
        "三次实地查看均不在岗",
        "单位负责人签字",
    ):
        assert expected in text, expected
    assert names[fifth] not in text  # masked

    name, xlsx, count = summary
    assert name == "考核检查汇总_2026.xlsx" and count == len(UNITS)
    sheet = load_workbook(io.BytesIO(xlsx)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in values if r and r[0] == "用人单位")
    line = next(r for r in values if r and r[0] == CITY)
    by = dict(zip(header, line, strict=False))
    assert by["岗位设定"] == "符合" and by["人员增减变动"] == "存在问题"
    assert (by["发现问题"], by["除名人数"], by["停发补贴"], by["核减指标"]) == (2, 1, 2, 1)
    [chart] = sheet._charts  # the bar chart beside the table
    assert len(chart.series) == 4
