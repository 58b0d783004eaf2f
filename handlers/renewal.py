"""A unit contact's renewal paperwork once the 公示 closes, worker by worker, on a phone.

Steps: ``show_papers`` (menu button, paged) → ``show_worker`` → for a worker who renews
``ask_start`` → ``process_start`` (a button with the usual first day, or a typed date) →
``ask_consent`` → ``ask_eligible`` → signed; for a worker not renewed ``ask_reason`` →
``process_reason``, which opens the unit's tasks for that worker; each task closed by
``confirm_task`` or ``ask_task_file`` → ``process_task_file``. Every step checks on the server
that the worker or task is the contact's own unit's.
"""

from __future__ import annotations

from domain.renewal import PaperState, PaperworkError, worker_task_base
from handlers.context import Context
from handlers.core import Router
from handlers.renewal_card import TASK_SHORT, UNKNOWN_STEP, show_worker, unit_ids
from handlers.renewal_signing import (
    AWAIT_REASON,
    AWAIT_START,
    ask_reason,
    ask_start,
    choose_start,
    process_consent,
    process_eligible,
    process_reason,
    process_start,
)
from handlers.unit import task_document
from messages.callbacks_renewal import (
    PaperAction,
    PaperAnswer,
    PaperList,
    PaperTask,
    PaperWorker,
    parse_unit_paper_button,
)
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from services.renewal import TASK_DONE_ALREADY, TASK_NOT_YOURS, finish_worker_task
from storage.models import Cycle, UnitTask
from storage.renewal import closed_cycle, paperwork

AWAIT_FILE = "renewal:await_file"
ROLES = ["unit"]
PER_PAGE = 8

MENU = N_("Renewal paperwork")
NO_CYCLE = N_("No 公示 has closed yet: the renewal paperwork starts when it does.")
NOBODY = N_("Your unit has no final result in the {year} assessment.")
HEADER = N_(
    "Renewal paperwork after the {year} 公示: {done} of {total} workers done. "
    "Press a worker to record theirs."
)
PAGE = N_("Page {page} of {pages}.")
PREVIOUS = N_("« Previous")
NEXT = N_("Next »")
STATE_NAMES = {
    PaperState.TO_SIGN: N_("agreement to sign"),
    PaperState.REASON_NEEDED: N_("reason to write"),
    PaperState.TASKS_OPEN: N_("tasks open"),
    PaperState.DONE: N_("done"),
}
ICONS = {
    PaperState.TO_SIGN: "✍️",
    PaperState.REASON_NEEDED: "📝",
    PaperState.TASKS_OPEN: "⏳",
    PaperState.DONE: "✅",
}
SEND_FILE = N_("Send the document for “{task}” (PDF, Word, Excel or a photo). /cancel stops.")
TASK_DONE = N_("Marked done.")


def router() -> Router:
    r = Router()
    r.button(PaperList.prefix, roles=ROLES)(process_paper_button)
    r.state(AWAIT_START, roles=ROLES)(process_start)
    r.state(AWAIT_REASON, roles=ROLES)(process_reason)
    r.state(AWAIT_FILE, roles=ROLES)(process_task_file)
    r.menu_rows(paper_menu_rows, place=21)
    return r


def paper_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has("unit"):
        return []
    return [[Button(ctx.t(MENU), PaperList(step="list", page=0).pack())]]


async def process_paper_button(ctx: Context) -> None:
    button = parse_unit_paper_button(ctx.incoming.button)
    if button is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    cycle = await closed_cycle(ctx.session)
    if cycle is None:
        ctx.say(ctx.t(NO_CYCLE), [[back_to_menu(ctx.t)]], edit=True)
        return
    match button:
        case PaperList(page=page):
            ctx.reset()
            await show_papers(ctx, cycle, page=page)
        case PaperWorker(worker_id=worker_id):
            ctx.reset()
            await show_worker(ctx, cycle, worker_id, edit=True)
        case PaperAction(step="sign", worker_id=worker_id):
            await ask_start(ctx, cycle, worker_id)
        case PaperAction(worker_id=worker_id):
            await ask_reason(ctx, cycle, worker_id)
        case PaperAnswer(step="start", worker_id=worker_id, value=value):
            await choose_start(ctx, cycle, worker_id, value)
        case PaperAnswer(value=value) if value not in (0, 1):
            ctx.answer(ctx.t(STALE_BUTTON))
        case PaperAnswer(step="consent", worker_id=worker_id, value=value):
            await process_consent(ctx, cycle, worker_id, yes=value == 1)
        case PaperAnswer(worker_id=worker_id, value=value):
            await process_eligible(ctx, cycle, worker_id, yes=value == 1)
        case PaperTask(step="ok", task_id=task_id):
            await confirm_task(ctx, cycle, task_id)
        case PaperTask(task_id=task_id):
            await ask_task_file(ctx, task_id)


async def show_papers(ctx: Context, cycle: Cycle, *, page: int) -> None:
    t = ctx.t
    units = unit_ids(ctx)
    found = (
        await paperwork(
            ctx.session,
            cycle=cycle,
            basic_may_renew=ctx.deps.renewal.basic_may_renew,
            unit_id=units[0],
        )
        if units
        else []
    )
    rows = found[0].rows if found else []
    if not rows:
        ctx.say(t(NOBODY, year=cycle.year), [[back_to_menu(t)]], edit=True)
        return
    pages = (len(rows) + PER_PAGE - 1) // PER_PAGE
    page = min(page, pages - 1)
    done = sum(1 for row in rows if row.state is PaperState.DONE)
    lines = [t(HEADER, year=cycle.year, done=done, total=len(rows))]
    if pages > 1:
        lines.append(t(PAGE, page=page + 1, pages=pages))
    buttons = [
        [
            Button(
                f"{ICONS[row.state]} {row.name} · {t(STATE_NAMES[row.state])}",
                PaperWorker(step="w", worker_id=row.worker_id).pack(),
            )
        ]
        for row in rows[page * PER_PAGE : (page + 1) * PER_PAGE]
    ]
    paging = []
    if page > 0:
        paging.append(Button(t(PREVIOUS), PaperList(step="list", page=page - 1).pack()))
    if page + 1 < pages:
        paging.append(Button(t(NEXT), PaperList(step="list", page=page + 1).pack()))
    if paging:
        buttons.append(paging)
    buttons.append([back_to_menu(t)])
    ctx.say("\n".join(lines), buttons, edit=ctx.incoming.button is not None)


async def ask_task_file(ctx: Context, task_id: int) -> None:
    """Asks for the task's document, once the task is known to be the unit's and open."""
    task = await ctx.session.get(UnitTask, task_id)
    base = worker_task_base(task.kind) if task is not None else None
    if task is None or base is None or task.unit_id not in unit_ids(ctx):
        ctx.answer(ctx.t(TASK_NOT_YOURS), alert=True)
        return
    if task.state == "done":
        ctx.answer(ctx.t(TASK_DONE_ALREADY), alert=True)
        return
    ctx.reset()
    ctx.goto(AWAIT_FILE, task_id=task_id)
    ctx.say(ctx.t(SEND_FILE, task=ctx.t(TASK_SHORT[base])))


async def confirm_task(ctx: Context, cycle: Cycle, task_id: int) -> None:
    try:
        task = await finish_worker_task(
            session=ctx.session,
            task_id=task_id,
            unit_ids=unit_ids(ctx),
            actor_user_id=ctx.user_id,
            now=ctx.clock.now(),
        )
    except PaperworkError as error:
        ctx.answer(ctx.t(error.reason, **error.params), alert=True)
        return
    ctx.answer(ctx.t(TASK_DONE))
    await show_worker(ctx, cycle, task.worker_id or 0, edit=True)


async def process_task_file(ctx: Context) -> None:
    file = task_document(ctx)
    if file is None:
        return
    task_id = ctx.data.get("task_id")
    cycle = await closed_cycle(ctx.session)
    ctx.reset()
    if not isinstance(task_id, int) or cycle is None:
        ctx.say(ctx.t(UNKNOWN_STEP), [[back_to_menu(ctx.t)]])
        return
    try:
        task = await finish_worker_task(
            session=ctx.session,
            task_id=task_id,
            unit_ids=unit_ids(ctx),
            actor_user_id=ctx.user_id,
            now=ctx.clock.now(),
            file_id=file.file_id,
            file_name=file.file_name or f"{file.kind}.{file.file_unique_id[:8]}",
        )
    except PaperworkError as error:
        ctx.say(ctx.t(error.reason, **error.params), [[back_to_menu(ctx.t)]])
        return
    ctx.say(ctx.t(TASK_DONE))
    await show_worker(ctx, cycle, task.worker_id or 0, edit=False)
