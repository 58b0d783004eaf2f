"""One worker's renewal paperwork as a card: what the unit and the bureau read, and the
buttons a unit contact has on it. Shared by the list (handlers.renewal) and the signing steps
(handlers.renewal_signing)."""

from __future__ import annotations

from domain.renewal import (
    REASON_DELETED,
    PaperState,
    PaperworkError,
    reason_deleted,
    worker_task_base,
)
from handlers.context import Context
from messages.callbacks_renewal import PaperAction, PaperList, PaperTask
from messages.i18n import N_
from messages.replies import Button
from messages.tasks import day_text, state_text
from services.renewal import worker_paper
from storage.models import Cycle
from storage.renewal import PaperRow

BACK_TO_LIST = N_("Back to the list")
UNKNOWN_STEP = N_("That step has expired: open the worker again.")
CARD = N_("{name} · {post}\nGrade: {grade}")
RULES_RENEW = N_("The result allows renewing the post agreement for one year.")
RULES_NO = N_("The post agreement is not renewed.")
SIGNED = N_(
    "Renewed agreement signed: {start} to {end}. The worker consented; the conditions of a "
    "public-welfare post are met."
)
NOT_RENEWED = N_("Not renewed. Reason reported: {reason}")
TASK_LINE = N_("{icon} {title} — due {due} — {state}")
SIGN = N_("Sign the renewed agreement")
WRITE_REASON = N_("Not renewed: write the reason")
TASK_SHORT = {
    "si_change": N_("social-insurance change"),
    "unemployment_reg": N_("unemployment registration"),
    "end_contract": N_("end of the labour contract"),
}
CONFIRM_TASK = N_("✅ Done: {task}")
FILE_TASK = N_("📎 File: {task}")


def unit_ids(ctx: Context) -> list[int]:
    return [b.unit_id for b in ctx.roles.bindings if b.role == "unit" and b.unit_id is not None]


async def paper_row(ctx: Context, cycle: Cycle, worker_id: int) -> PaperRow | None:
    try:
        return await worker_paper(
            session=ctx.session,
            deps=ctx.deps,
            cycle=cycle,
            worker_id=worker_id,
            unit_ids=unit_ids(ctx),
        )
    except PaperworkError as error:
        ctx.reset()
        if ctx.incoming.button is not None:
            ctx.answer(ctx.t(error.reason, **error.params), alert=True)
        else:
            ctx.say(ctx.t(error.reason, **error.params))
        return None


def card_lines(ctx: Context, row: PaperRow, *, reason_chars: int | None = None) -> list[str]:
    """The worker's paperwork as the unit and the bureau read it; ``reason_chars`` shortens
    the written reason where many workers share one message (the full text is in the unit's
    card and the records' export)."""
    t = ctx.t
    lines = [t(CARD, name=row.name, post=row.post, grade=row.grade.value)]
    paper = row.paper
    if paper is not None and paper.outcome == "renewed" and paper.term_starts_on:
        lines.append(
            t(
                SIGNED,
                start=day_text(t, paper.term_starts_on),
                end=day_text(t, paper.term_ends_on or paper.term_starts_on),
            )
        )
    elif paper is not None and reason_deleted(outcome=paper.outcome, reason=paper.reason):
        lines.append(t(NOT_RENEWED, reason=t(REASON_DELETED)))
    elif paper is not None:
        reason = paper.reason
        if reason_chars is not None and len(reason) > reason_chars:
            reason = reason[: reason_chars - 1] + "…"
        lines.append(t(NOT_RENEWED, reason=reason.replace("\n", " ")))
    else:
        lines.append(t(RULES_RENEW) if row.renews else t(RULES_NO))
    today = ctx.clock.today()
    for task in row.tasks:
        late = task.state != "done" and task.due_on < today
        icon = "✅" if task.state == "done" else ("❗" if late else "⏳")
        lines.append(
            t(
                TASK_LINE,
                icon=icon,
                title=t(TASK_SHORT[worker_task_base(task.kind) or "si_change"]),
                due=day_text(t, task.due_on),
                state=state_text(t, task.state, overdue=late),
            )
        )
    return lines


async def show_worker(ctx: Context, cycle: Cycle, worker_id: int, *, edit: bool) -> None:
    row = await paper_row(ctx, cycle, worker_id)
    if row is None:
        return
    t = ctx.t
    buttons: list[list[Button]] = []
    if row.state is PaperState.TO_SIGN:
        buttons.append([Button(t(SIGN), PaperAction(step="sign", worker_id=worker_id).pack())])
    if row.paper is None:
        buttons.append(
            [Button(t(WRITE_REASON), PaperAction(step="reason", worker_id=worker_id).pack())]
        )
    for task in row.tasks:
        if task.state == "done" or task.id is None:
            continue
        name = t(TASK_SHORT[worker_task_base(task.kind) or "si_change"])
        buttons.append(
            [
                Button(t(CONFIRM_TASK, task=name), PaperTask(step="ok", task_id=task.id).pack()),
                Button(t(FILE_TASK, task=name), PaperTask(step="file", task_id=task.id).pack()),
            ]
        )
    buttons.append([Button(t(BACK_TO_LIST), PaperList(step="list", page=0).pack())])
    ctx.say("\n".join(card_lines(ctx, row)), buttons, edit=edit)
