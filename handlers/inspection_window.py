"""The administrator changes the inspection's period in chat (city plan 五.2), as
`gongshi inspection plan --starts --due` does: two days typed in one message, read on the
working-day calendar (domain.inspection_window); a bad answer changes nothing and is asked
again.

Steps: ``ask_window`` (the plan's button) → ``process_window``.
"""

from __future__ import annotations

from sqlmodel import col, select

from domain.inspection import PlanError
from domain.inspection_window import parse_window
from handlers.context import Context
from handlers.core import Router
from messages.callbacks_inspection import InsPlan
from messages.i18n import N_
from messages.replies import Button
from messages.style import date_text
from messages.wording import STALE_BUTTON, back_to_menu
from services.inspection_plan import Who, set_window
from storage.inspection import plan_of
from storage.inspection_people import sessions_outside
from storage.models import Cycle, InspectionPlan

ROLES = ["admin"]
AWAIT_WINDOW = "plan_window:await"

NO_PLAN = N_("The newest cycle has no inspection plan yet: make it first.")
ASK_WINDOW = N_(
    "The inspection now runs {starts} to {due}. Send the first day and the due day, like "
    "“12-19 12-26” or “12月19日至12月26日”; a day off moves onto the nearest working day "
    "inside the period. /cancel stops."
)
TRY_AGAIN = N_("Nothing was changed. Send the two days again, or /cancel.")
WINDOW_SET = N_(
    "The inspection now runs {starts} to {due}. The units' open verification and voucher "
    "tasks follow it."
)
START_MOVED = N_("{day} is not a working day: the inspection starts on the next one.")
DUE_MOVED = N_("{day} is not a working day: the inspection is due on the one before.")
SESSIONS_OUTSIDE = N_(
    "Careful: {n} staff verification sessions now fall outside the period; their groups "
    "should set them again."
)
BACK = N_("Back to the plan")


def router() -> Router:
    r = Router()
    r.state(AWAIT_WINDOW, roles=ROLES)(process_window)
    return r


async def newest_plan(ctx: Context) -> tuple[InspectionPlan, Cycle] | None:
    """The newest cycle's plan, the one the administrator's plan screen shows."""
    found = await ctx.session.execute(select(Cycle).order_by(col(Cycle.year).desc()).limit(1))
    cycle = found.scalars().first()
    plan = await plan_of(ctx.session, cycle.id) if cycle and cycle.id else None
    return (plan, cycle) if plan is not None and cycle is not None else None


def back_to_plan(ctx: Context) -> list[Button]:
    return [Button(ctx.t(BACK), InsPlan(action="show").pack())]


async def ask_window(ctx: Context) -> None:
    found = await newest_plan(ctx)
    if found is None:
        ctx.say(ctx.t(NO_PLAN), [[back_to_menu(ctx.t)]], edit=True)
        return
    plan, _ = found
    ctx.goto(AWAIT_WINDOW, plan_id=plan.id)
    ctx.say(
        ctx.t(
            ASK_WINDOW, starts=date_text(ctx.t, plan.starts_on), due=date_text(ctx.t, plan.due_on)
        ),
        [back_to_plan(ctx)],
        edit=True,
    )


async def process_window(ctx: Context) -> None:
    t = ctx.t
    found = await newest_plan(ctx)
    if found is None or found[0].id != ctx.data.get("plan_id"):
        ctx.reset()
        ctx.say(t(STALE_BUTTON), [[back_to_menu(t)]])
        return
    plan, cycle = found
    try:
        chosen = parse_window(ctx.incoming.text or "", year=cycle.year, calendar=ctx.deps.calendar)
    except PlanError as error:
        ctx.say(f"{t(error.reason, **error.params)}\n{t(TRY_AGAIN)}", [back_to_plan(ctx)])
        return
    ctx.reset()
    await set_window(session=ctx.session, plan=plan, window=chosen.window, who=Who(ctx.user_id))
    lines = [
        t(
            WINDOW_SET,
            starts=date_text(t, plan.starts_on),
            due=date_text(t, plan.due_on),
        )
    ]
    if chosen.typed_start is not None:
        lines.append(t(START_MOVED, day=date_text(t, chosen.typed_start)))
    if chosen.typed_due is not None:
        lines.append(t(DUE_MOVED, day=date_text(t, chosen.typed_due)))
    outside = await sessions_outside(ctx.session, plan)
    if outside:
        lines.append(t(SESSIONS_OUTSIDE, n=outside))
    ctx.say("\n".join(lines), [back_to_plan(ctx), [back_to_menu(t)]])
