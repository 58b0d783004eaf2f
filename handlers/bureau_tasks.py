"""The bureau's view of units' deadlines: completion per unit, each unit's tasks, the files
units attached, and a reminder sent by hand through the outbox.

Steps: ``show_units`` → ``show_unit`` → ``open_file`` / ``remind_task`` / ``remind_unit``.
Open to bureau staff and admins.
"""

from __future__ import annotations

from sqlmodel import col, select

from handlers.context import Context
from handlers.core import Router
from messages.callbacks_tasks import (
    RemindTask,
    RemindUnit,
    TaskFile,
    UnitsPage,
    UnitTasks,
    parse_bureau_task_button,
)
from messages.callbacks_verification import VerifyUnits
from messages.i18n import N_
from messages.replies import Button
from messages.tasks import day_text, state_text, task_title
from messages.wording import STALE_BUTTON, back_to_menu
from services.tasks import remind_by_hand
from storage.audit import audit
from storage.models import Unit, UnitTask
from storage.outbox import PRIORITY, enqueue
from storage.unit_tasks import latest_cycle, progress_by_unit, unit_tasks

ROLES = ["bureau", "admin"]
UNITS_PER_PAGE = 8

NO_TASKS = N_(
    "No unit has tasks yet. Whoever runs the bot creates a cycle's deadlines on the server: "
    "gongshi tasks create --cycle YEAR."
)
UNITS_HEADER = N_("Units' tasks, {year} assessment ({done} of {total} done, {overdue} overdue):")
UNIT_BUTTON = N_("{unit}: {done}/{total} done, {overdue} overdue")
UNIT_HEADER = N_("{unit}, {year} assessment:")
FILE_BUTTON = N_("📎 {title}")
REMIND_UNIT = N_("Remind the unit of its open tasks")
REMINDED = N_("Reminder sent to {n} contacts of the unit.")
NO_CONTACTS = N_("The unit has no contact in the bot yet: invite one first.")
NOTHING_OPEN = N_("The unit has no open task.")
FILE_SENT = N_("The file is on its way to you.")
FILE_CAPTION = N_("{unit}: {title} ({name})")
TASK_GONE = N_("That task no longer exists.")


def router() -> Router:
    r = Router()
    r.button(UnitsPage.prefix, roles=ROLES)(process_bureau_button)
    r.menu_rows(bureau_menu_rows, place=40)
    return r


def bureau_menu_rows(ctx: Context) -> list[list[Button]]:
    """The bureau's entries in the main menu (staff and admins)."""
    if not ctx.roles.has(*ROLES):
        return []
    return [
        [Button(ctx.t(N_("Units' tasks")), UnitsPage(action="units", page=0).pack())],
        [Button(ctx.t(N_("Staff verification")), VerifyUnits(action="units", page=0).pack())],
    ]


async def process_bureau_button(ctx: Context) -> None:
    match parse_bureau_task_button(ctx.incoming.button):
        case UnitsPage(page=page):
            await show_units(ctx, page=page)
        case UnitTasks(unit_id=unit_id, cycle_id=cycle_id):
            await show_unit(ctx, unit_id=unit_id, cycle_id=cycle_id)
        case TaskFile(task_id=task_id):
            await open_file(ctx, task_id=task_id)
        case RemindTask(task_id=task_id):
            await remind_task(ctx, task_id=task_id)
        case RemindUnit(unit_id=unit_id, cycle_id=cycle_id):
            await remind_unit(ctx, unit_id=unit_id, cycle_id=cycle_id)
        case _:
            ctx.answer(ctx.t(STALE_BUTTON))


async def show_units(ctx: Context, *, page: int) -> None:
    t = ctx.t
    cycle = await latest_cycle(ctx.session)
    back = [back_to_menu(t)]
    if cycle is None or cycle.id is None:
        ctx.say(t(NO_TASKS), [back], edit=True)
        return
    progress = await progress_by_unit(ctx.session, cycle_id=cycle.id, today=ctx.clock.today())
    shown = progress[page * UNITS_PER_PAGE : (page + 1) * UNITS_PER_PAGE]
    buttons = [
        [
            Button(
                t(UNIT_BUTTON, unit=u.unit_name, done=u.done, total=u.total, overdue=u.overdue),
                UnitTasks(action="unit", unit_id=u.unit_id, cycle_id=cycle.id).pack(),
            )
        ]
        for u in shown
    ]
    paging = []
    if page > 0:
        paging.append(Button(t(N_("« Previous")), UnitsPage(action="units", page=page - 1).pack()))
    if (page + 1) * UNITS_PER_PAGE < len(progress):
        paging.append(Button(t(N_("Next »")), UnitsPage(action="units", page=page + 1).pack()))
    if paging:
        buttons.append(paging)
    buttons.append(back)
    header = t(
        UNITS_HEADER,
        year=cycle.year,
        done=sum(u.done for u in progress),
        total=sum(u.total for u in progress),
        overdue=sum(u.overdue for u in progress),
    )
    ctx.say(header, buttons, edit=True)


async def show_unit(ctx: Context, *, unit_id: int, cycle_id: int) -> None:
    t = ctx.t
    unit = await ctx.session.get(Unit, unit_id)
    if unit is None:
        ctx.answer(t(STALE_BUTTON))
        return
    tasks = await unit_tasks(ctx.session, unit_id=unit_id, cycle_id=cycle_id)
    today = ctx.clock.today()
    year = await _year(ctx, cycle_id)
    lines = [t(UNIT_HEADER, unit=unit.name, year=year)]
    buttons = []
    for task in tasks:
        late = task.state != "done" and task.due_on < today
        title = task_title(t, task.kind, task.title)
        mark = "✅" if task.state == "done" else ("❗" if late else "⏳")
        lines.append(
            f"{mark} {title} — {day_text(t, task.due_on)} — "
            f"{state_text(t, task.state, overdue=late)}"
        )
        if task.file_id:
            buttons.append(
                [
                    Button(
                        t(FILE_BUTTON, title=title[:40]),
                        TaskFile(action="file", task_id=task.id or 0).pack(),
                    )
                ]
            )
    if any(task.state != "done" for task in tasks):
        buttons.append(
            [
                Button(
                    t(REMIND_UNIT),
                    RemindUnit(action="remindu", unit_id=unit_id, cycle_id=cycle_id).pack(),
                )
            ]
        )
    buttons.append([Button(t(N_("Back to the units")), UnitsPage(action="units", page=0).pack())])
    ctx.say("\n".join(lines), buttons, edit=True)


async def _year(ctx: Context, cycle_id: int) -> int:
    from storage.models import Cycle

    cycle = await ctx.session.get(Cycle, cycle_id)
    return cycle.year if cycle else 0


async def open_file(ctx: Context, *, task_id: int) -> None:
    """The file goes through the outbox: a reply cannot carry a Telegram file_id."""
    task = await ctx.session.get(UnitTask, task_id)
    if task is None or not task.file_id:
        ctx.answer(ctx.t(TASK_GONE), alert=True)
        return
    unit = await ctx.session.get(Unit, task.unit_id)
    await enqueue(
        ctx.session,
        chat_id=ctx.incoming.chat_id,
        kind="notice",
        priority=PRIORITY["alert"],  # the official is waiting for it
        method="sendDocument",
        file=task.file_id,
        text=ctx.t(
            FILE_CAPTION,
            unit=unit.name if unit else "?",
            title=task_title(ctx.t, task.kind, task.title),
            name=task.file_name,
        ),
    )
    audit(
        ctx.session,
        actor_user_id=ctx.user_id,
        action="unit_task_file_opened",
        target_type="unit_task",
        target_id=task.id,
    )
    ctx.answer(ctx.t(FILE_SENT))


async def remind_task(ctx: Context, *, task_id: int) -> None:
    task = await ctx.session.get(UnitTask, task_id)
    if task is None:
        ctx.answer(ctx.t(TASK_GONE), alert=True)
        return
    if task.state == "done":
        ctx.answer(ctx.t(NOTHING_OPEN), alert=True)
        return
    recipients = await remind_by_hand(
        session=ctx.session,
        task=task,
        by_user=ctx.user_id,
        now=ctx.clock.now(),
        today=ctx.clock.today(),
    )
    _answer_reminded(ctx, len(recipients))


async def remind_unit(ctx: Context, *, unit_id: int, cycle_id: int) -> None:
    today = ctx.clock.today()
    found = await ctx.session.execute(
        select(UnitTask).where(
            col(UnitTask.unit_id) == unit_id,
            col(UnitTask.cycle_id) == cycle_id,
            col(UnitTask.state) != "done",
        )
    )
    # Tasks not started yet are not worth a reminder.
    tasks = [t for t in found.scalars() if t.starts_on is None or t.starts_on <= today]
    if not tasks:
        ctx.answer(ctx.t(NOTHING_OPEN), alert=True)
        return
    reached = 0
    for task in sorted(tasks, key=lambda task: task.due_on):
        recipients = await remind_by_hand(
            session=ctx.session, task=task, by_user=ctx.user_id, now=ctx.clock.now(), today=today
        )
        reached = len(recipients)
    _answer_reminded(ctx, reached)


def _answer_reminded(ctx: Context, n: int) -> None:
    if n:
        ctx.answer(ctx.t(REMINDED, n=n))
    else:
        ctx.answer(ctx.t(NO_CONTACTS), alert=True)
