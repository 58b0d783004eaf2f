"""Signing a renewed agreement, or writing why it is not renewed, for one worker.

Steps: ``ask_start`` → ``process_start`` (a typed date) or the first day's button →
``ask_consent`` → the post's conditions → signed (services.renewal.sign_agreement); a worker
who does not consent, or no longer meets the conditions, goes to ``ask_reason`` →
``process_reason`` (services.renewal.record_non_renewal), which opens the unit's tasks.
"""

from __future__ import annotations

from datetime import date

from domain.renewal import (
    REASON_LONG,
    REASON_MAX_CHARS,
    REASON_SHORT,
    PaperState,
    PaperworkError,
    parse_start,
)
from handlers.context import Context
from handlers.renewal_card import BACK_TO_LIST, UNKNOWN_STEP, paper_row, show_worker, unit_ids
from messages.callbacks_renewal import PaperAnswer, PaperList
from messages.i18n import N_
from messages.replies import Button
from messages.tasks import day_text
from messages.wording import back_to_menu
from services.renewal import (
    ALREADY_RECORDED,
    DOES_NOT_RENEW,
    record_non_renewal,
    sign_agreement,
)
from storage.models import Cycle
from storage.renewal import closed_cycle

AWAIT_START = "renewal:await_start"
AWAIT_REASON = "renewal:await_reason"

ASK_START = N_(
    "The agreement runs one year. Press its first day, or type another (like 2027-01-01). "
    "/cancel stops."
)
ASK_CONSENT = N_("Does {name} consent to renewing the agreement?")
CONSENTS = N_("Yes, the worker consents")
REFUSES = N_("No")
ASK_ELIGIBLE = N_(
    "Does {name} still meet the conditions of a public-welfare post (符合公益性岗位人员条件)?"
)
MEETS = N_("Yes, the conditions are met")
DOES_NOT_MEET = N_("No")
ASK_REASON = N_(
    "Write why {name}'s agreement is not renewed, as it will be reported to the employment "
    "bureau (at most {n} characters). /cancel stops."
)
SIGNED_DONE = N_("Recorded: the agreement is signed from {start} to {end}.")
REASON_DONE = N_(
    "Recorded. The unit's tasks for {name} are open, each due on {due}: confirm each when it "
    "is done, or hand in its file."
)


def usual_start(cycle: Cycle) -> date:
    """The first day a renewed agreement usually has: 1 January after the assessment year."""
    return date(cycle.year + 1, 1, 1)


async def ask_start(ctx: Context, cycle: Cycle, worker_id: int) -> None:
    row = await paper_row(ctx, cycle, worker_id)
    if row is None:
        return
    if row.state is not PaperState.TO_SIGN:
        ctx.answer(ctx.t(ALREADY_RECORDED if row.paper else DOES_NOT_RENEW), alert=True)
        return
    start = usual_start(cycle)
    ctx.reset()
    ctx.goto(AWAIT_START, worker_id=worker_id)
    value = int(start.strftime("%Y%m%d"))
    ctx.say(
        ctx.t(ASK_START),
        [
            [
                Button(
                    day_text(ctx.t, start),
                    PaperAnswer(step="start", worker_id=worker_id, value=value).pack(),
                )
            ],
            [Button(ctx.t(BACK_TO_LIST), PaperList(step="list", page=0).pack())],
        ],
    )


async def _pending(ctx: Context) -> tuple[Cycle, int] | None:
    """The closed cycle and the worker a typed answer is about, or None (and the chat told)
    when the step is no longer there."""
    cycle = await closed_cycle(ctx.session)
    worker_id = ctx.data.get("worker_id")
    if cycle is None or not isinstance(worker_id, int):
        ctx.reset()
        ctx.say(ctx.t(UNKNOWN_STEP), [[back_to_menu(ctx.t)]])
        return None
    return cycle, worker_id


async def process_start(ctx: Context) -> None:
    pending = await _pending(ctx)
    if pending is None:
        return
    cycle, worker_id = pending
    try:
        start = parse_start(ctx.incoming.text or "", today=ctx.clock.today())
    except PaperworkError as error:
        ctx.say(ctx.t(error.reason, **error.params))
        return
    await ask_consent(ctx, cycle, worker_id, start)


async def choose_start(ctx: Context, cycle: Cycle, worker_id: int, value: int) -> None:
    text = str(value)
    try:
        start = parse_start(f"{text[:4]}-{text[4:6]}-{text[6:]}", today=ctx.clock.today())
    except PaperworkError as error:
        ctx.answer(ctx.t(error.reason, **error.params), alert=True)
        return
    await ask_consent(ctx, cycle, worker_id, start)


async def ask_consent(ctx: Context, cycle: Cycle, worker_id: int, start: date) -> None:
    row = await paper_row(ctx, cycle, worker_id)
    if row is None:
        return
    # A consent given in an earlier attempt does not carry over to this one.
    ctx.goto(AWAIT_START, worker_id=worker_id, start=start.isoformat(), consent=False)
    ctx.say(
        ctx.t(ASK_CONSENT, name=row.name),
        _yes_no(ctx, "consent", worker_id, CONSENTS, REFUSES),
    )


def _yes_no(ctx: Context, step: str, worker_id: int, yes: str, no: str) -> list[list[Button]]:
    return [
        [
            Button(ctx.t(yes), PaperAnswer(step=step, worker_id=worker_id, value=1).pack()),  # type: ignore[arg-type]
            Button(ctx.t(no), PaperAnswer(step=step, worker_id=worker_id, value=0).pack()),  # type: ignore[arg-type]
        ]
    ]


def _signing(ctx: Context, worker_id: int) -> bool:
    return ctx.data.get("worker_id") == worker_id and isinstance(ctx.data.get("start"), str)


async def process_consent(ctx: Context, cycle: Cycle, worker_id: int, *, yes: bool) -> None:
    if not _signing(ctx, worker_id):
        ctx.answer(ctx.t(UNKNOWN_STEP), alert=True)
        return
    if not yes:
        await ask_reason(ctx, cycle, worker_id)
        return
    row = await paper_row(ctx, cycle, worker_id)
    if row is None:
        return
    ctx.goto(AWAIT_START, consent=True)
    ctx.say(
        ctx.t(ASK_ELIGIBLE, name=row.name),
        _yes_no(ctx, "eligible", worker_id, MEETS, DOES_NOT_MEET),
    )


async def process_eligible(ctx: Context, cycle: Cycle, worker_id: int, *, yes: bool) -> None:
    if not _signing(ctx, worker_id) or ctx.data.get("consent") is not True:
        ctx.answer(ctx.t(UNKNOWN_STEP), alert=True)
        return
    if not yes:
        await ask_reason(ctx, cycle, worker_id)
        return
    start = date.fromisoformat(str(ctx.data["start"]))
    ctx.reset()
    try:
        paper = await sign_agreement(
            session=ctx.session,
            deps=ctx.deps,
            cycle=cycle,
            worker_id=worker_id,
            starts_on=start,
            consent=True,
            eligible=True,
            unit_ids=unit_ids(ctx),
            actor_user_id=ctx.user_id,
        )
    except PaperworkError as error:
        ctx.say(ctx.t(error.reason, **error.params), [[back_to_menu(ctx.t)]])
        return
    ctx.say(
        ctx.t(
            SIGNED_DONE,
            start=day_text(ctx.t, paper.term_starts_on or start),
            end=day_text(ctx.t, paper.term_ends_on or start),
        )
    )
    await show_worker(ctx, cycle, worker_id, edit=False)


async def ask_reason(ctx: Context, cycle: Cycle, worker_id: int) -> None:
    row = await paper_row(ctx, cycle, worker_id)
    if row is None:
        return
    ctx.reset()
    if row.paper is not None:
        ctx.answer(ctx.t(ALREADY_RECORDED), alert=True)
        return
    ctx.goto(AWAIT_REASON, worker_id=worker_id)
    ctx.say(ctx.t(ASK_REASON, name=row.name, n=REASON_MAX_CHARS))


async def process_reason(ctx: Context) -> None:
    pending = await _pending(ctx)
    if pending is None:
        return
    cycle, worker_id = pending
    try:
        _paper, tasks = await record_non_renewal(
            session=ctx.session,
            deps=ctx.deps,
            cycle=cycle,
            worker_id=worker_id,
            reason=ctx.incoming.text or "",
            unit_ids=unit_ids(ctx),
            actor_user_id=ctx.user_id,
        )
    except PaperworkError as error:
        # A reason too short or too long is asked again; anything else ends the step.
        if error.reason not in (REASON_SHORT, REASON_LONG):
            ctx.reset()
        ctx.say(ctx.t(error.reason, **error.params))
        return
    ctx.reset()
    row = await paper_row(ctx, cycle, worker_id)
    name = row.name if row else ""
    ctx.say(ctx.t(REASON_DONE, name=name, due=day_text(ctx.t, tasks[0].due_on)))
    await show_worker(ctx, cycle, worker_id, edit=False)
