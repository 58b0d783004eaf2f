"""A unit contact's deadlines: the unit's tasks with their due dates and state, and marking a
task done with the file it asks for, which the bureau can then open.

Steps: ``show_tasks`` → ``show_task`` → ``ask_for_file`` → ``process_task_file`` (or
``confirm_done`` for a task that needs no file, ``mark_not_applicable`` for a task with nobody
concerned). Every step checks on the server that the task is the contact's own unit's.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import col

from handlers import unit_selfcheck, vouchers
from handlers.context import Context
from handlers.core import Router
from handlers.types import FileRef
from messages.callbacks_tasks import MyTask, MyTasks, parse_unit_task_button
from messages.i18n import N_
from messages.replies import Button
from messages.tasks import day_text, file_asked, state_text, task_title
from messages.wording import STALE_BUTTON, back_to_menu
from storage.models import Cycle, Result, UnitTask
from storage.unit_tasks import latest_cycle, mark_done, unit_tasks

AWAIT_FILE = "unit:await_file"

NO_TASKS = N_("Your unit has no tasks yet.")
TASKS_HEADER = N_("Your unit's tasks for the {year} assessment:")
TASK_LINE = N_("{icon} {title} — due {due} — {state}")
TASK_CARD = N_("{title}\nDue: {due}\nState: {state}")
TASK_STARTS = N_("From: {day}")
TASK_FILE = N_("Attach: {file}")
TASK_DONE_AT = N_("Done on {day}.")
TASK_DONE_FILE = N_("File: {name}")
MARK_DONE_FILE = N_("Mark done (attach the file)")
MARK_DONE = N_("Mark done")
NOT_APPLICABLE = N_("None in our unit")
BACK_TO_TASKS = N_("Back to the tasks")
SEND_FILE = N_(
    "Send {file} as a document (PDF, Word, Excel or a photo of the paper). /cancel stops."
)
NEED_A_FILE = N_("Please send the file as a document, or /cancel.")
FILE_TOO_LARGE = N_("The file is larger than {mb} MB; please send a smaller one.")
DONE_WITH_FILE = N_("Marked done. The file was filed with the employment bureau.")
DONE = N_("Marked done.")
ALREADY_DONE = N_("This task is already done.")
NOT_YOURS = N_("This task is not your unit's.")
NA_REFUSED = N_("Your unit's results include workers this concerns; this task applies.")
NA_DONE = N_("Recorded: nobody in your unit is concerned.")

# Tasks that concern only some workers: a unit without any may say so instead of a file.
# (column, value): the results that make the task apply.
NOT_APPLICABLE_WHEN: dict[str, tuple[str, object]] = {
    "non_renewals_reported": ("renew", False),
    "admonishment_talks": ("grade", "基本合格"),
}
ICONS = {"done": "✅", "open": "⏳", "escalated": "⚠️"}


def router() -> Router:
    r = Router()
    r.button(MyTasks.prefix, roles=["unit"])(process_unit_button)
    r.state(AWAIT_FILE, roles=["unit"])(process_task_file)
    r.menu_rows(unit_menu_rows, place=20)
    return r


def unit_menu_rows(ctx: Context) -> list[list[Button]]:
    """The unit contact's entries in the main menu."""
    if not ctx.roles.has("unit"):
        return []
    return [[Button(ctx.t(N_("My unit's tasks")), MyTasks(action="list").pack())]]


def _from_button(ctx: Context) -> bool:
    # A text or file message also has a message_id, but it is the user's: never edit that.
    return ctx.incoming.button is not None


def _unit_ids(ctx: Context) -> list[int]:
    return [b.unit_id for b in ctx.roles.bindings if b.role == "unit" and b.unit_id is not None]


async def process_unit_button(ctx: Context) -> None:
    button = parse_unit_task_button(ctx.incoming.button)
    if isinstance(button, MyTasks):
        await show_tasks(ctx)
        return
    if button is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    task = await _own_task(ctx, button.task_id)
    if task is None:
        return
    if button.action == "task":
        await show_task(ctx, task)
    elif button.action == "done" and await unit_selfcheck.is_form(ctx, task):
        unit_selfcheck.start(ctx, task.unit_id)  # the self-check is a form, not just a file
    elif button.action == "done" and task.kind == "insurance_vouchers" and task.state != "done":
        cycle = await ctx.session.get(Cycle, task.cycle_id)  # twelve months, not one file
        if cycle is not None:
            await vouchers.show_unit_months(ctx, task.unit_id, cycle, edit=True)
    elif button.action == "done":
        await ask_for_file(ctx, task) if task.needs_file else await confirm_done(ctx, task)
    else:
        await mark_not_applicable(ctx, task)


async def _own_task(ctx: Context, task_id: int) -> UnitTask | None:
    task = await ctx.session.get(UnitTask, task_id)
    if task is None or task.unit_id not in _unit_ids(ctx):
        ctx.answer(ctx.t(NOT_YOURS), alert=True)
        return None
    return task


async def show_tasks(ctx: Context) -> None:
    t = ctx.t
    units = _unit_ids(ctx)
    cycle = await latest_cycle(ctx.session)
    tasks = (
        await unit_tasks(ctx.session, unit_id=units[0], cycle_id=cycle.id)
        if units and cycle and cycle.id
        else []
    )
    if not tasks or cycle is None:
        ctx.say(t(NO_TASKS), [[back_to_menu(t)]], edit=_from_button(ctx))
        return
    today = ctx.clock.today()
    lines = [t(TASKS_HEADER, year=cycle.year)]
    buttons = []
    for number, task in enumerate(tasks, 1):
        late = task.state != "done" and task.due_on < today
        icon = "❗" if late and task.state == "open" else ICONS.get(task.state, "•")
        title = task_title(t, task.kind, task.title)
        lines.append(
            f"{number}. "
            + t(
                TASK_LINE,
                icon=icon,
                title=title,
                due=day_text(t, task.due_on),
                state=state_text(t, task.state, overdue=late),
            )
        )
        buttons.append(
            [
                Button(
                    f"{number}. {icon} {title[:28]}",
                    MyTask(action="task", task_id=task.id or 0).pack(),
                )
            ]
        )
    buttons.append([back_to_menu(t)])
    ctx.say("\n".join(lines), buttons, edit=_from_button(ctx))


async def show_task(ctx: Context, task: UnitTask) -> None:
    t = ctx.t
    today = ctx.clock.today()
    late = task.state != "done" and task.due_on < today
    lines = [
        t(
            TASK_CARD,
            title=task_title(t, task.kind, task.title),
            due=day_text(t, task.due_on),
            state=state_text(t, task.state, overdue=late),
        )
    ]
    if task.starts_on:
        lines.append(t(TASK_STARTS, day=day_text(t, task.starts_on)))
    buttons: list[list[Button]] = []
    if task.state == "done":
        if task.done_at:
            lines.append(t(TASK_DONE_AT, day=day_text(t, task.done_at.date())))
        if task.file_name:
            lines.append(t(TASK_DONE_FILE, name=task.file_name))
    else:
        if task.needs_file:
            lines.append(t(TASK_FILE, file=file_asked(t, task.kind)))
        label = MARK_DONE_FILE if task.needs_file else MARK_DONE
        buttons.append([Button(t(label), MyTask(action="done", task_id=task.id or 0).pack())])
        if task.kind in NOT_APPLICABLE_WHEN:
            buttons.append(
                [Button(t(NOT_APPLICABLE), MyTask(action="na", task_id=task.id or 0).pack())]
            )
    buttons.append([Button(t(BACK_TO_TASKS), MyTasks(action="list").pack())])
    ctx.say("\n".join(lines), buttons, edit=_from_button(ctx))


async def ask_for_file(ctx: Context, task: UnitTask) -> None:
    if task.state == "done":
        ctx.answer(ctx.t(ALREADY_DONE))
        return
    ctx.goto(AWAIT_FILE, task_id=task.id)
    ctx.say(ctx.t(SEND_FILE, file=file_asked(ctx.t, task.kind)))


def task_document(ctx: Context) -> FileRef | None:
    """The file a task is closed with, within the upload limit; None (and the chat asked
    again) for anything else."""
    file = ctx.incoming.file
    if file is None:
        ctx.say(ctx.t(NEED_A_FILE))
        return None
    limit = ctx.deps.max_upload_mb
    if file.size is not None and file.size > limit * 2**20:
        ctx.say(ctx.t(FILE_TOO_LARGE, mb=limit))
        return None
    return file


async def process_task_file(ctx: Context) -> None:
    file = task_document(ctx)
    if file is None:
        return
    task_id = ctx.data.get("task_id")
    task = await _own_task(ctx, int(task_id)) if isinstance(task_id, int) else None
    ctx.reset()
    if task is None:
        ctx.say(ctx.t(NOT_YOURS))
        return
    if task.state == "done":
        ctx.say(ctx.t(ALREADY_DONE))
        return
    await mark_done(
        ctx.session,
        task=task,
        user_id=ctx.user_id,
        now=ctx.clock.now(),
        file_id=file.file_id,
        file_name=file.file_name or f"{file.kind}.{file.file_unique_id[:8]}",
    )
    ctx.say(ctx.t(DONE_WITH_FILE))
    await show_tasks(ctx)


async def confirm_done(ctx: Context, task: UnitTask) -> None:
    if task.state == "done":
        ctx.answer(ctx.t(ALREADY_DONE))
        return
    await mark_done(ctx.session, task=task, user_id=ctx.user_id, now=ctx.clock.now())
    ctx.answer(ctx.t(DONE))
    await show_tasks(ctx)


async def mark_not_applicable(ctx: Context, task: UnitTask) -> None:
    concerned = NOT_APPLICABLE_WHEN.get(task.kind)
    if concerned is None or task.state == "done":
        ctx.answer(ctx.t(ALREADY_DONE if task.state == "done" else NA_REFUSED), alert=True)
        return
    column, value = concerned
    count = await ctx.session.scalar(
        select(func.count(col(Result.id))).where(
            col(Result.unit_id) == task.unit_id,
            col(Result.cycle_id) == task.cycle_id,
            getattr(Result, column) == value,
        )
    )
    if count:
        ctx.answer(ctx.t(NA_REFUSED), alert=True)
        return
    await mark_done(
        ctx.session, task=task, user_id=ctx.user_id, now=ctx.clock.now(), note="not applicable"
    )
    ctx.answer(ctx.t(NA_DONE))
    await show_tasks(ctx)
