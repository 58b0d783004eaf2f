"""`gongshi inspection plan|move|member|invite`: the city's inspection plan of a cycle (its
window, groups and people, and which group inspects which unit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.runtime_context import (
    CommandError,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from domain import inspection as rules
from domain.clock import SystemClock
from domain.workdays import CalendarFileError
from messages.i18n import N_, Translator
from messages.style import date_text, moment_text
from messages.wording import NO_UNITS_YET
from storage.invitations import DEFAULT_TTL
from storage.models import Cycle, InspectionMember, InspectionPlan, Unit

T = TypeVar("T")

inspection_app = typer.Typer(help="市考核组检查 / the city's inspection.", no_args_is_help=True)

NO_CYCLE = N_("There is no {year} assessment cycle.")
NO_PLAN = N_("The {year} cycle has no inspection plan yet: run `gongshi inspection plan`.")
PLAN_HEADER = N_("Inspection {year}: {starts} to {due}, {groups} groups.")
GROUP_LINE = N_("Group {n}: {units} units, {workers} workers")
UNIT_LINE = N_("{unit} ({workers} workers)")
PERSON_LINE = N_("{position}: {name} {post} [{department}] (member {id})")
LEADING = N_("Leading group:")
OFFICE = N_("Office:")
UNKNOWN_UNIT = N_("Unknown unit: {unit}. `gongshi status` shows how many units there are.")
NO_GROUP = N_("The plan has no group {n}.")
MOVED = N_("{unit} is now inspected by group {n}.")
MEMBER_ADDED = N_("Added {name} (member {id}).")
BAD_BODY = N_("Give --group N, --leading or --office, one of them.")
NOT_IN_GROUP = N_("Member {id} is not in an inspection group of the {year} plan.")
INVITATION = N_("One-time invitation for {name}, inspector of group {n} (expires {expires}):")


def _run(year: int, work: Callable[[AsyncSession, Cycle, Translator], Awaitable[T]]) -> T:
    settings = settings_or_exit()
    t = Translator(settings.language)

    async def go() -> T:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with storage.sessions() as session, session.begin():
                found = await session.execute(select(Cycle).where(col(Cycle.year) == year))
                cycle = found.scalars().first()
                if cycle is None:
                    raise CommandError(t(NO_CYCLE, year=year), 1)
                return await work(session, cycle, t)

    return run_async(go())


async def _plan(session: AsyncSession, cycle: Cycle, t: Translator) -> InspectionPlan:
    from storage.inspection import plan_of

    assert cycle.id is not None
    plan = await plan_of(session, cycle.id)
    if plan is None:
        raise CommandError(t(NO_PLAN, year=cycle.year), 1)
    return plan


async def describe(session: AsyncSession, cycle: Cycle, t: Translator) -> list[str]:
    """The plan as the administrator reads it: window, people, and each group's units."""
    from storage.inspection import groups_of, members_of, units_in_plan

    plan = await _plan(session, cycle, t)
    assert plan.id is not None
    groups = await groups_of(session, plan.id)
    members = await members_of(session, plan.id)
    units = await units_in_plan(session, plan.id)
    lines = [
        t(
            PLAN_HEADER,
            year=cycle.year,
            starts=date_text(t, plan.starts_on),
            due=date_text(t, plan.due_on),
            groups=len(groups),
        )
    ]
    if not units:
        lines.append(t(NO_UNITS_YET))

    def people(where: list[InspectionMember]) -> list[str]:
        return [
            "  "
            + t(
                PERSON_LINE,
                position=t(rules.POSITIONS[m.position]),
                name=m.name,
                post=m.post,
                department=t(rules.DEPARTMENTS[m.department]),
                id=m.id,
            )
            for m in where
        ]

    for body, title in (("leading", LEADING), ("office", OFFICE)):
        found = [m for m in members if m.body == body]
        if found:
            lines += [t(title), *people(found)]
    for group in groups:
        mine = [u for u in units if u.group == group.number]
        lines.append(
            t(GROUP_LINE, n=group.number, units=len(mine), workers=sum(u.workers for u in mine))
        )
        lines += people([m for m in members if m.group_id == group.id])
        lines += ["  " + t(UNIT_LINE, unit=u.name, workers=u.workers) for u in mine]
    return lines


@inspection_app.command("plan")
def plan(
    cycle: int = typer.Option(..., "--cycle", min=2000, max=2100, help="考核年度 / year"),
    groups: int | None = typer.Option(
        None, "--groups", min=1, max=rules.MAX_GROUPS, help="考核组数 / groups (default 2)"
    ),
    starts: str | None = typer.Option(None, "--starts", help="开始日期 / first day, 2026-12-19"),
    due: str | None = typer.Option(None, "--due", help="完成日期 / due day, 2026-12-26"),
    rebalance: bool = typer.Option(
        False, "--rebalance", help="重新分配全部单位 / split every unit afresh"
    ),
) -> None:
    """制定或查看检查方案：按人数均衡分组 / Make or show the plan, units split by workers."""
    from notices.service import work_calendar
    from services.inspection_plan import plan_cycle

    settings = settings_or_exit()
    try:
        calendar = work_calendar(settings)
        starts_on = date.fromisoformat(starts) if starts else None
        due_on = date.fromisoformat(due) if due else None
    except (CalendarFileError, ValueError) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error

    async def work(session: AsyncSession, found: Cycle, t: Translator) -> list[str]:
        try:
            await plan_cycle(
                session=session,
                cycle=found,
                calendar=calendar,
                groups=groups,
                starts_on=starts_on,
                due_on=due_on,
                rebalance=rebalance,
            )
        except rules.PlanError as error:
            raise CommandError(t(error.reason, **error.params), 2) from error
        return await describe(session, found, t)

    for line in _run(cycle, work):
        typer.echo(line)


@inspection_app.command("move")
def move(
    cycle: int = typer.Option(..., "--cycle", min=2000, max=2100, help="考核年度 / year"),
    unit: str = typer.Option(..., "--unit", help="单位名称 / the unit"),
    group: int = typer.Option(..., "--group", min=1, max=rules.MAX_GROUPS, help="考核组 / group"),
) -> None:
    """把单位调到另一个考核组 / Move a unit to another group."""
    from services.inspection_plan import move_unit

    async def work(session: AsyncSession, found: Cycle, t: Translator) -> str:
        plan = await _plan(session, found, t)
        unit_id = (
            await session.execute(select(Unit.id).where(Unit.name == unit.strip()))
        ).scalar_one_or_none()
        if unit_id is None:
            raise CommandError(t(UNKNOWN_UNIT, unit=unit), 1)
        if not await move_unit(session=session, plan=plan, unit_id=unit_id, group_number=group):
            raise CommandError(t(NO_GROUP, n=group), 1)
        return t(MOVED, unit=unit.strip(), n=group)

    typer.echo(_run(cycle, work))


@inspection_app.command("member")
def member(
    cycle: int = typer.Option(..., "--cycle", min=2000, max=2100, help="考核年度 / year"),
    name: str = typer.Option(..., "--name", help="姓名 / name"),
    post: str = typer.Option("", "--post", help="职务 / post"),
    department: str = typer.Option("人社", "--department", help="人社 纪检 财政 审计 其他"),
    group: int | None = typer.Option(None, "--group", min=1, help="考核组 / group"),
    leading: bool = typer.Option(False, "--leading", help="领导小组 / leading group"),
    office: bool = typer.Option(False, "--office", help="领导小组办公室 / its office"),
    leader: bool = typer.Option(False, "--leader", help="组长（主任）/ leader"),
    deputy: bool = typer.Option(False, "--deputy", help="副组长 / deputy leader"),
) -> None:
    """添加领导小组、办公室或考核组成员 / Add a person to the plan."""
    from services.inspection_plan import add_member

    settings = settings_or_exit()
    t = Translator(settings.language)
    if (group is not None) + leading + office != 1:
        typer.echo(t(BAD_BODY), err=True)
        raise typer.Exit(2)
    body = "group" if group is not None else "leading" if leading else "office"
    position = "leader" if leader else "deputy" if deputy else "member"

    async def work(session: AsyncSession, found: Cycle, t: Translator) -> str:
        plan = await _plan(session, found, t)
        try:
            added = await add_member(
                session=session,
                plan=plan,
                body=body,
                name=name,
                post=post,
                department=department,
                position=position,
                group_number=group,
            )
        except rules.PlanError as error:
            raise CommandError(t(error.reason, **error.params), 2) from error
        return t(MEMBER_ADDED, name=added.name, id=added.id)

    typer.echo(_run(cycle, work))


@inspection_app.command("invite")
def invite(
    cycle: int = typer.Option(..., "--cycle", min=2000, max=2100, help="考核年度 / year"),
    member_id: int = typer.Option(..., "--member", help="成员编号 / the member's number"),
) -> None:
    """生成考核组成员的一次性邀请链接 / A one-time invitation for a group member."""
    from handlers.invitations import invitation_link
    from services.inspection_plan import invite_inspector
    from storage.models import InspectionGroup

    settings = settings_or_exit()
    clock = SystemClock(settings.timezone)

    async def work(session: AsyncSession, found: Cycle, t: Translator) -> str:
        plan = await _plan(session, found, t)
        person = await session.get(InspectionMember, member_id)
        if person is None or person.plan_id != plan.id or person.group_id is None:
            raise CommandError(t(NOT_IN_GROUP, id=member_id, year=found.year), 1)
        group = await session.get(InspectionGroup, person.group_id)
        token = await invite_inspector(session=session, member=person, now=clock.now())
        expires = moment_text(t, clock.now() + DEFAULT_TTL)
        head = t(INVITATION, name=person.name, n=group.number if group else "?", expires=expires)
        return f"{head}\n{invitation_link(settings.bot_username, token)}"

    typer.echo(_run(cycle, work))
