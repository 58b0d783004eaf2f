"""The citizen's hotline: file a complaint (handlers.complaint_form), follow it by ticket code.

The route table below is the whole conversation: each state (declared once, in
handlers.complaint_draft) and each button of the form, to its step. Following a complaint:
``ask_status_code`` → ``process_status_code`` (also ``/status CODE``). Everything is throttled
per user (domain.complaints.HotlineLimits).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from domain import cases as rules
from domain import objections
from domain.complaints import OFFICES, normalize_ticket_code
from handlers.appeals import appeal_rows
from handlers.complaint_draft import (
    CATEGORY,
    CONFIRM,
    DESCRIPTION,
    EVIDENCE,
    IDENTITY,
    STATUS_CODE,
    SUBJECT_UNIT,
    SUBJECT_WORKER,
    Step,
    limits,
    may_file_another,
    nav,
    throttled,
)
from handlers.complaint_evidence import process_evidence
from handlers.complaint_form import (
    ask_category,
    ask_identity,
    ask_subject,
    cancel,
    go_back,
    process_anonymous,
    process_category,
    process_confirm,
    process_description,
    process_other_input,
    process_subject,
    process_unit,
    process_whole_unit,
    process_worker,
    show_units_page,
)
from handlers.context import Context
from handlers.core import Router
from messages.callbacks_hotline import ComplaintChoice, ComplaintPick, ComplaintStep
from messages.i18n import N_
from messages.replies import Button
from messages.style import date_text, moment_text
from messages.wording import STALE_BUTTON, back_to_menu
from storage import complaints as store
from storage.case_status import Status, status_by_code
from storage.models import Result
from storage.objections import is_objection

OBJECTION_HEAD = N_("Your objection (申辩) {code}")
OWN_COMPLAINT = N_("{code} · sent {day}")
STATUS_OPEN = N_("State: {state}\nHeld by: {office}\nExpected by: {date}\n\nHistory:\n{history}")
STATUS_ENDED = N_("State: {state}\nHeld by: {office}\n\nHistory:\n{history}")
OWN_OR_CODE = N_(
    "Your complaints are below: press one to see where it stands, or send a ticket code."
)


def router() -> Router:
    r = Router()
    r.command("complain")(throttled(ask_subject))
    r.command("status")(throttled(status_command))
    r.button(ComplaintStep.prefix)(throttled(process_button))
    r.state(SUBJECT_UNIT, CATEGORY, IDENTITY, CONFIRM)(throttled(process_other_input))
    r.state(SUBJECT_WORKER)(throttled(process_subject))
    r.state(DESCRIPTION)(throttled(process_description))
    r.state(EVIDENCE)(throttled(process_evidence))
    r.state(STATUS_CODE)(throttled(process_status_code))
    r.deep_link("c_", start_from_entry, fresh=True)
    return r


async def process_button(ctx: Context) -> None:
    data = ctx.incoming.button
    simple: dict[str, Step] = {
        "new": ask_subject,
        "status": ask_status_code,
        "back": go_back,
        "cancel": cancel,
        "whole": process_whole_unit,
        "evdone": ask_identity,
        "anon": process_anonymous,
        "confirm": process_confirm,
    }
    by_number: dict[str, Callable[[Context, int], Awaitable[None]]] = {
        "units": show_units_page,
        "unit": process_unit,
        "worker": process_worker,
    }
    by_key: dict[str, Callable[[Context, str], Awaitable[None]]] = {
        "cat": process_category,
        "code": show_status,
    }
    if step := ComplaintStep.parse(data):
        await simple[step.action](ctx)
    elif (pick := ComplaintPick.parse(data)) and pick.number >= 0:
        await by_number[pick.action](ctx, pick.number)
    elif (choice := ComplaintChoice.parse(data)) and choice.key:
        await by_key[choice.action](ctx, choice.key)
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


async def start_from_entry(ctx: Context, entry: str) -> None:
    """``/start c_<result id>``: the complaint button of a 公示 entry names the worker."""
    result = await ctx.session.get(Result, int(entry)) if entry.isdigit() else None
    if result is None:
        await ask_subject(ctx)
        return
    if not await may_file_another(ctx):
        return
    ctx.goto(CATEGORY, draft={"unit_id": result.unit_id, "worker_id": result.worker_id})
    await ask_category(ctx)


# --- following a complaint -----------------------------------------------------------------

# The public steps of a case as the complainant reads them: the officials' names, except
# where the complainant is better told what it means for them.
ACTION_NAMES = {
    **rules.STEP_NAMES,
    "assign": N_("investigation started"),
    "reply": N_("the bureau replied (see the message in this chat)"),
}


async def ask_status_code(ctx: Context) -> None:
    ctx.goto(STATUS_CODE)
    mine = await store.own_complaints(ctx.session, user_id=ctx.user_id)
    zone = ctx.clock.now().tzinfo
    rows = [
        [
            Button(
                ctx.t(
                    OWN_COMPLAINT,
                    code=own.ticket_code,
                    day=date_text(ctx.t, own.submitted_at.astimezone(zone), weekday=False),
                ),
                ComplaintChoice(action="code", key=own.ticket_code).pack(),
            )
        ]
        for own in mine
    ]
    ask = OWN_OR_CODE if mine else N_("Send the 8-character ticket code of your complaint.")
    ctx.say(ctx.t(ask), [*rows, nav(ctx)])


async def status_command(ctx: Context) -> None:
    if not ctx.incoming.argument.strip():
        await ask_status_code(ctx)
        return
    await show_status(ctx, ctx.incoming.argument)


async def process_status_code(ctx: Context) -> None:
    await show_status(ctx, ctx.incoming.text or "")


async def show_status(ctx: Context, typed: str) -> None:
    now = ctx.clock.now()
    allowed = limits(ctx).wrong_codes_per_hour
    wrong = await store.wrong_codes_since(
        ctx.session, user_id=ctx.user_id, since=now - timedelta(hours=1)
    )
    if wrong >= allowed:
        message = N_("Too many wrong codes. Please check your code and try again in an hour.")
        ctx.say(ctx.t(message))
        return
    code = normalize_ticket_code(typed)
    found = await status_by_code(ctx.session, code) if code else None
    if found is None:
        await store.record_wrong_code(ctx.session, user_id=ctx.user_id, now=now)
        ctx.say(ctx.t(N_("No complaint has that code. Please check it and send it again.")))
        return
    ctx.reset()
    objection = await is_objection(ctx.session, found.case.id or 0)
    text = _status_text(ctx, found, objection=objection)
    if objection:
        text = f"{ctx.t(OBJECTION_HEAD, code=code)}\n{text}"
    # The complainant of a closed case may ask for its 复查, then 复核, from here; a merged
    # case's complainant through the case they filed. A worker's objection (申辩) ends with the
    # bureau's decision (a "decide" event, not a written reply), which offers no 复查.
    rows = await appeal_rows(ctx, found.own)
    ctx.say(text, [*rows, [back_to_menu(ctx.t)]])


def _status_text(ctx: Context, found: Status, *, objection: bool = False) -> str:
    case = found.case
    zone = ctx.clock.now().tzinfo
    # A worker's objection is told in its own words (domain.objections), never a complaint's.
    steps = objections.STEP_NAMES if objection else ACTION_NAMES
    states = objections.STATE_NAMES if objection else rules.STATE_NAMES
    history = "\n".join(
        f"{moment_text(ctx.t, event.at.astimezone(zone))} "
        f"{ctx.t(steps.get(event.action, event.action))}"
        for event in found.history
    )
    params = {
        "state": ctx.t(states.get(case.state, case.state)),
        "office": ctx.t(objections.OFFICE if objection else OFFICES.get(case.route, case.route)),
        "history": history or "—",
    }
    if case.state not in rules.OPEN_STATES:
        # A closed or rejected case is expected by no date: its history says when it ended.
        return ctx.t(STATUS_ENDED, **params)
    # A returned case still runs its acceptance clock (domain.dispatch).
    expected = case.accept_due if case.state in ("submitted", "returned") else case.conclude_due
    return ctx.t(STATUS_OPEN, date=date_text(ctx.t, expected) if expected else "—", **params)
