"""The administrator adjusts the inspection plan in chat (point 1), as `gongshi inspection`
does on the command line: the newest cycle's plan with its window and each group's units and
workers; the plan made if there is none (two groups, balanced by workers); a unit moved to
another group; from there the period (handlers.inspection_window) and the groups' members
and their invitations (handlers.inspection_people).

Steps: ``show_plan`` → ``make_plan`` | ``show_units`` → ``ask_group`` → ``move``.
"""

from __future__ import annotations

from sqlmodel import col, select

from handlers.context import Context
from handlers.core import Router
from messages.callbacks_inspection import InsPlan
from messages.callbacks_inspection_people import PlanPeople
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from services.inspection_plan import Who, move_unit, plan_cycle
from storage.inspection import groups_of, plan_of, units_in_plan
from storage.models import Cycle, Unit

ROLES = ["admin"]
UNITS_PER_PAGE = 8

PLAN_BUTTON = N_("Inspection plan")
NO_CYCLE = N_("There is no assessment cycle yet.")
NO_PLAN = N_("The {year} cycle has no inspection plan yet.")
MAKE = N_("Make the plan (two groups, balanced by workers)")
HEADER = N_("Inspection {year}: {starts} to {due}.")
GROUP_LINE = N_("Group {n}: {units} units, {workers} workers")
UNITS = N_("Move units between groups")
UNIT_BUTTON = N_("{unit} (group {n})")
ASK_GROUP = N_("{unit}: which group inspects it?")
TO_GROUP = N_("Group {n}")
MOVED = N_("{unit} is now inspected by group {n}.")
BACK = N_("Back to the plan")
WINDOW = N_("Change the inspection period")
PEOPLE = N_("Group members and invitations")


def router() -> Router:
    r = Router()
    r.button(InsPlan.prefix, roles=ROLES)(process_plan_button)
    r.menu_rows(plan_menu_rows, place=47)
    return r


def plan_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has(*ROLES):
        return []
    return [[Button(ctx.t(PLAN_BUTTON), InsPlan(action="show").pack())]]


async def _cycle(ctx: Context) -> Cycle | None:
    found = await ctx.session.execute(select(Cycle).order_by(col(Cycle.year).desc()).limit(1))
    return found.scalars().first()


async def process_plan_button(ctx: Context) -> None:
    t = ctx.t
    data = InsPlan.parse(ctx.incoming.button)
    if data is None:
        ctx.answer(t(STALE_BUTTON))
        return
    ctx.reset()  # back from a question about the plan (its period, a new member)
    cycle = await _cycle(ctx)
    if cycle is None or cycle.id is None:
        ctx.say(t(NO_CYCLE), [[back_to_menu(t)]], edit=True)
        return
    if data.action == "make":
        await plan_cycle(
            session=ctx.session, cycle=cycle, calendar=ctx.deps.calendar, who=Who(ctx.user_id)
        )
    plan = await plan_of(ctx.session, cycle.id)
    if plan is None or plan.id is None:
        ctx.say(
            t(NO_PLAN, year=cycle.year),
            [[Button(t(MAKE), InsPlan(action="make").pack())], [back_to_menu(t)]],
            edit=True,
        )
        return
    groups = [g.number for g in await groups_of(ctx.session, plan.id)]
    if data.action == "move":
        unit = await ctx.session.get(Unit, data.unit_id)
        moved = unit is not None and await move_unit(
            session=ctx.session,
            plan=plan,
            unit_id=data.unit_id,
            group_number=data.group,
            who=Who(ctx.user_id),
        )
        if not moved or unit is None:
            ctx.answer(t(STALE_BUTTON))
            return
        ctx.answer(t(MOVED, unit=unit.name, n=data.group))
    units = await units_in_plan(ctx.session, plan.id)
    if data.action == "unit":
        unit_name = next((u.name for u in units if u.unit_id == data.unit_id), None)
        if unit_name is None:
            ctx.answer(t(STALE_BUTTON))
            return
        buttons = [
            [
                Button(
                    t(TO_GROUP, n=n),
                    InsPlan(action="move", unit_id=data.unit_id, group=n, page=data.page).pack(),
                )
            ]
            for n in groups
        ]
        buttons.append([Button(t(BACK), InsPlan(action="units", page=data.page).pack())])
        ctx.say(t(ASK_GROUP, unit=unit_name), buttons, edit=True)
        return
    lines = [t(HEADER, year=cycle.year, starts=plan.starts_on, due=plan.due_on)]
    for n in groups:
        mine = [u for u in units if u.group == n]
        lines.append(t(GROUP_LINE, n=n, units=len(mine), workers=sum(u.workers for u in mine)))
    if data.action in ("units", "move"):
        page = units[data.page * UNITS_PER_PAGE : (data.page + 1) * UNITS_PER_PAGE]
        buttons = [
            [
                Button(
                    t(UNIT_BUTTON, unit=u.name, n=u.group or "-"),
                    InsPlan(action="unit", unit_id=u.unit_id, page=data.page).pack(),
                )
            ]
            for u in page
        ]
        paging = []
        if data.page > 0:
            paging.append(
                Button(t(N_("« Previous")), InsPlan(action="units", page=data.page - 1).pack())
            )
        if (data.page + 1) * UNITS_PER_PAGE < len(units):
            paging.append(
                Button(t(N_("Next »")), InsPlan(action="units", page=data.page + 1).pack())
            )
        if paging:
            buttons.append(paging)
        buttons.append([Button(t(BACK), InsPlan(action="show").pack())])
    else:
        buttons = [
            [Button(t(UNITS), InsPlan(action="units").pack())],
            [Button(t(WINDOW), PlanPeople(action="window").pack())],
            [Button(t(PEOPLE), PlanPeople(action="people").pack())],
            [back_to_menu(t)],
        ]
    ctx.say("\n".join(lines), buttons, edit=True)
