"""The desk logs a complaint taken by telephone, letter or in person (bureau staff; a unit
contact for its own unit's line): ``ask_channel`` → ``ask_received`` (today, yesterday, or a
typed day) → ``ask_caller`` (name and number, or anonymous) → ``ask_unit`` (typed part of
its name; a unit contact's own unit is taken as given) → ``ask_worker`` (the unit as a whole,
or a typed name) → ``ask_category`` → ``ask_description`` → ``ask_files`` (a photographed
letter) → ``ask_confirm`` → ``submit`` (services.desk_intake.log_complaint): the same
complaint and case as one from chat, and its ticket code, spelled out to read back.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.complaints import (
    BY_KEY,
    CATEGORIES,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    MAX_EVIDENCE,
    OFFICES,
)
from domain.desk_intake import (
    CHANNELS,
    RECEIVED_MAX_DAYS,
    Caller,
    parse_caller,
    parse_received,
    received_refusal,
)
from domain.desk_intake import spelled as spelled_code
from handlers.complaint_evidence import evidence_of, receive_file
from handlers.context import Context
from handlers.core import Router
from messages.callbacks_cases import CaseAction
from messages.callbacks_desk import START, DeskChoice, DeskPick, DeskStep, step
from messages.i18n import N_
from messages.replies import Button
from messages.style import date_text
from messages.wording import STALE_BUTTON, back_to_menu
from services.desk_intake import DeskRefused, Logged, log_complaint
from storage import desk_intake as picks
from storage.cases import Actor

CHANNEL = "desk_channel"
RECEIVED = "desk_received"
CALLER = "desk_caller"
UNIT = "desk_unit"
WORKER = "desk_worker"
CATEGORY = "desk_category"
DESCRIPTION = "desk_description"
FILES = "desk_files"
CONFIRM = "desk_confirm"
ROLES = ("bureau", "unit")

LOG = N_("Log a call, letter or visit")
ASK_CHANNEL = N_("Log a complaint the hotline took outside the chat. How did it come?")
ASK_RECEIVED = N_("When was it received? Press a day, or type it (like 2026-12-15 or 12月15日).")
TODAY, YESTERDAY = N_("Today"), N_("Yesterday")
BAD_DAY = N_("That is not a day. Type it like 2026-12-15 or 12月15日.")
FUTURE_DAY = N_("That day is still to come. Please check it.")
OLD_DAY = N_("That is more than {days} days ago: log it with the bureau's file of old matters.")
ASK_CALLER = N_(
    "Who complained? Type the name and the phone number (like 张三 13812345678), or the name "
    "alone; or press Anonymous. The contact is kept confidential, like any complainant's."
)
ANONYMOUS = N_("Anonymous")
BAD_CALLER = N_("Please type a name and a number, like 张三 13812345678, or press Anonymous.")
ASK_UNIT = N_("Which unit is it about? Type part of its name.")
NO_UNIT = N_("No unit's name holds 「{text}」. Please type another part of it.")
MANY = N_("More than {n} match: please type more of the name.")
PICK_UNIT = N_("Which of these?")
ASK_WORKER = N_(
    "About {unit}: is it about one worker? Type the worker's name, or press The unit as a whole."
)
WHOLE_UNIT = N_("The unit as a whole")
NO_WORKER = N_(
    "No worker of {unit} is named like 「{text}」. Type another name, or press The unit as a whole."
)
ASK_CATEGORY = N_("What kind of problem is it?")
ASK_DESCRIPTION = N_("Type what the caller or the letter says ({min} to {max} characters).")
BAD_LENGTH = N_("It must be {min} to {max} characters long (this is {n}). Please type it again.")
ASK_FILES = N_(
    "Attach the letter or other papers, photographed or scanned (optional, up to {max}). "
    "Files so far: {count}. Press Continue when done."
)
FILE_IN = N_("File received ({count} of at most {max}).")
FILE_ONLY = N_("Send a photo or a document, or press Continue.")
CONTINUE = N_("Continue")
SUMMARY = N_(
    "Please check the complaint to log:\nChannel: {channel}\nReceived: {received}\n"
    "Complainant: {caller}\nAbout: {target}\nCategory: {category}\nFiles: {files}\n\n{description}"
)
LOG_IT = N_("Log it")
CANCEL = N_("Cancel")
CANCELLED = N_("Nothing was logged.")
LOGGED = N_(
    "Logged as case #{case}. Ticket code: {code}\nRead it out as: {spelled}\n\nGive it to the "
    "complainant (read it back, or write it in the reply letter): with it they follow the case "
    "by sending /status {code} to this bot. Held by: {office}."
)
REFUSED = N_("This cannot be logged: {why}")
WHY = {
    "role": N_("your role does not log complaints."),
    "scope": N_("a unit logs only what its own line took about itself."),
    "input": N_("something in it is no longer valid. Please start again."),
}
OPEN_CASE = N_("Open the case")


def router() -> Router:
    r = Router()
    r.button(DeskStep.prefix, roles=ROLES)(process_button)
    for state in (RECEIVED, CALLER, UNIT, WORKER, DESCRIPTION):
        r.state(state, roles=ROLES)(process_text)
    for state in (CHANNEL, CATEGORY, CONFIRM):
        r.state(state, roles=ROLES)(process_other)
    r.state(FILES, roles=ROLES)(process_file)
    r.menu_rows(desk_menu_rows, place=11)
    return r


def desk_menu_rows(ctx: Context) -> list[list[Button]]:
    return [[Button(ctx.t(LOG), START)]] if _actor(ctx) is not None else []


def _actor(ctx: Context) -> Actor | None:
    for role in ROLES:
        binding = ctx.roles.binding(role)
        if binding is not None and (role == "bureau" or binding.unit_id is not None):
            return Actor(user_id=ctx.user_id, role=role, unit_id=binding.unit_id)
    return None


def _pending(ctx: Context) -> dict[str, Any]:
    found = ctx.data.get("desk")
    return dict(found) if isinstance(found, dict) else {}


def _go(ctx: Context, state: str, **values: Any) -> None:
    ctx.goto(state, desk={**_pending(ctx), **values})


def _nav(ctx: Context) -> list[Button]:
    return [Button(ctx.t(CANCEL), step("cancel"))]


# --- buttons --------------------------------------------------------------------------------


async def process_button(ctx: Context) -> None:
    data = ctx.incoming.button
    if (pressed := DeskStep.parse(data)) is not None:
        await _STEPS[pressed.action](ctx)
    elif (choice := DeskChoice.parse(data)) is not None:
        if choice.action == "ch" and choice.key in CHANNELS and ctx.state == CHANNEL:
            _go(ctx, RECEIVED, channel=choice.key)
            ask_received(ctx)
        elif choice.action == "cat" and choice.key in BY_KEY and ctx.state == CATEGORY:
            _go(ctx, DESCRIPTION, category=choice.key)
            ctx.say(ctx.t(ASK_DESCRIPTION, min=DESCRIPTION_MIN, max=DESCRIPTION_MAX), [_nav(ctx)])
        else:
            ctx.answer(ctx.t(STALE_BUTTON))
    elif (picked := DeskPick.parse(data)) is not None and picked.number >= 0:
        await _picked(ctx, picked)
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


async def ask_channel(ctx: Context) -> None:
    if _actor(ctx) is None:
        ctx.answer(ctx.t(WHY["role"]), alert=True)
        return
    ctx.goto(CHANNEL, desk={})
    rows = [
        [Button(ctx.t(name), DeskChoice(action="ch", key=key).pack())]
        for key, name in CHANNELS.items()
    ]
    ctx.say(ctx.t(ASK_CHANNEL), [*rows, _nav(ctx)])


def ask_received(ctx: Context) -> None:
    days = [Button(ctx.t(TODAY), step("today")), Button(ctx.t(YESTERDAY), step("yesterday"))]
    ctx.say(ctx.t(ASK_RECEIVED), [days, _nav(ctx)])


async def _received(ctx: Context, day: date) -> None:
    refused = received_refusal(day, today=ctx.clock.today())
    if refused is not None:
        message = FUTURE_DAY if refused == "future" else OLD_DAY
        ctx.say(ctx.t(message, days=RECEIVED_MAX_DAYS), [_nav(ctx)])
        return
    _go(ctx, CALLER, received=day.isoformat())
    ctx.say(ctx.t(ASK_CALLER), [[Button(ctx.t(ANONYMOUS), step("anon"))], _nav(ctx)])


async def _day_button(ctx: Context, back: int) -> None:
    if ctx.state != RECEIVED:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    await _received(ctx, ctx.clock.today() - timedelta(days=back))


async def _anonymous(ctx: Context) -> None:
    if ctx.state != CALLER:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    _go(ctx, UNIT, caller=None)
    await ask_unit(ctx)


async def ask_unit(ctx: Context) -> None:
    actor = _actor(ctx)
    if actor is not None and actor.role == "unit" and actor.unit_id is not None:
        # A unit's own line takes complaints about the unit itself.
        await _unit_chosen(ctx, actor.unit_id)
        return
    ctx.say(ctx.t(ASK_UNIT), [_nav(ctx)])


async def _unit_chosen(ctx: Context, unit_id: int) -> None:
    name = await picks.unit_name(ctx.session, unit_id)
    if name is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    _go(ctx, WORKER, unit_id=unit_id, unit_name=name)
    ctx.say(ctx.t(ASK_WORKER, unit=name), [[Button(ctx.t(WHOLE_UNIT), step("whole"))], _nav(ctx)])


async def _picked(ctx: Context, picked: DeskPick) -> None:
    pending = _pending(ctx)
    if picked.action == "unit" and ctx.state == UNIT:
        await _unit_chosen(ctx, picked.number)
    elif picked.action == "wk" and ctx.state == WORKER:
        unit_id = int(pending.get("unit_id", -1))
        name = await picks.worker_in_unit(ctx.session, worker_id=picked.number, unit_id=unit_id)
        if name is None:
            ctx.answer(ctx.t(STALE_BUTTON))
            return
        _go(ctx, CATEGORY, worker_id=picked.number, worker_name=name)
        ask_category(ctx)
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


async def _whole_unit(ctx: Context) -> None:
    if ctx.state != WORKER:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    _go(ctx, CATEGORY, worker_id=None, worker_name=None)
    ask_category(ctx)


def ask_category(ctx: Context) -> None:
    rows = [
        [Button(ctx.t(c.label), DeskChoice(action="cat", key=c.key).pack())] for c in CATEGORIES
    ]
    ctx.say(ctx.t(ASK_CATEGORY), [*rows, _nav(ctx)])


def _files_nav(ctx: Context) -> list[list[Button]]:
    return [[Button(ctx.t(CONTINUE), step("files"))], _nav(ctx)]


async def process_file(ctx: Context) -> None:
    ref = ctx.incoming.file
    if ref is None:
        ctx.say(ctx.t(FILE_ONLY), _files_nav(ctx))
        return
    files = list(_pending(ctx).get("files", []))
    item = await receive_file(ctx, ref, count=len(files), buttons=_files_nav(ctx))
    if item is None:
        return
    files.append(item)
    _go(ctx, FILES, files=files)
    ctx.say(ctx.t(FILE_IN, count=len(files), max=MAX_EVIDENCE), _files_nav(ctx))


async def ask_confirm(ctx: Context) -> None:
    if ctx.state != FILES:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    t, pending = ctx.t, _pending(ctx)
    caller = pending.get("caller")
    target = pending["unit_name"] + (
        f" · {pending['worker_name']}" if pending.get("worker_name") else ""
    )
    ctx.goto(CONFIRM)
    ctx.say(
        t(
            SUMMARY,
            channel=t(CHANNELS[pending["channel"]]),
            received=date_text(t, date.fromisoformat(pending["received"])),
            caller=f"{caller['name']} {caller['phone']}".strip() if caller else t(ANONYMOUS),
            target=target,
            category=t(BY_KEY[pending["category"]].label),
            files=len(pending.get("files", [])),
            description=pending["description"],
        ),
        [[Button(t(LOG_IT), step("send"))], _nav(ctx)],
    )


async def submit(ctx: Context) -> None:
    pending, actor = _pending(ctx), _actor(ctx)
    if ctx.state != CONFIRM or actor is None or "description" not in pending:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    caller = pending.get("caller")
    ctx.reset()
    try:
        submitted = await log_complaint(
            session=ctx.session,
            logged=Logged(
                unit_id=int(pending["unit_id"]),
                worker_id=pending.get("worker_id"),
                category=str(pending["category"]),
                description=str(pending["description"]),
                channel=str(pending["channel"]),
                received_on=date.fromisoformat(pending["received"]),
                caller=Caller(caller["name"], caller["phone"]) if caller else None,
                evidence=tuple(evidence_of(pending.get("files", []))),
            ),
            actor=actor,
            now=ctx.clock.now(),
            calendar=ctx.deps.calendar,
            threshold=ctx.deps.serious_complainants,
            secret_key=ctx.deps.secret_key,
            language=ctx.deps.language,
        )
    except DeskRefused as refused:
        ctx.say(ctx.t(REFUSED, why=ctx.t(WHY[refused.reason])), [[back_to_menu(ctx.t)]])
        return
    code, case = submitted.complaint.ticket_code, submitted.case
    rows = [[back_to_menu(ctx.t)]]
    if actor.role == "bureau":
        rows.insert(
            0, [Button(ctx.t(OPEN_CASE), CaseAction(action="open", case_id=case.id or 0).pack())]
        )
    ctx.say(
        ctx.t(
            LOGGED,
            case=case.id,
            code=code,
            spelled=spelled_code(code),
            office=ctx.t(OFFICES[case.route]),
        ),
        rows,
    )


async def _cancel(ctx: Context) -> None:
    ctx.reset()
    ctx.say(ctx.t(CANCELLED), [[back_to_menu(ctx.t)]])


# --- typed text -----------------------------------------------------------------------------


async def process_text(ctx: Context) -> None:
    text = (ctx.incoming.text or "").strip()
    if not text:
        ctx.say(ctx.t(N_("Please type the text, or press Cancel.")), [_nav(ctx)])
        return
    if ctx.state == RECEIVED:
        day = parse_received(text, today=ctx.clock.today())
        if day is None:
            ctx.say(ctx.t(BAD_DAY), [_nav(ctx)])
            return
        await _received(ctx, day)
    elif ctx.state == CALLER:
        caller = parse_caller(text)
        if caller is None:
            ctx.say(ctx.t(BAD_CALLER), [[Button(ctx.t(ANONYMOUS), step("anon"))], _nav(ctx)])
            return
        _go(ctx, UNIT, caller={"name": caller.name, "phone": caller.phone})
        await ask_unit(ctx)
    elif ctx.state == UNIT:
        await _find_unit(ctx, text[:60])
    elif ctx.state == WORKER:
        await _find_worker(ctx, text[:32])
    else:
        if not DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX:
            ctx.say(
                ctx.t(BAD_LENGTH, min=DESCRIPTION_MIN, max=DESCRIPTION_MAX, n=len(text)),
                [_nav(ctx)],
            )
            return
        _go(ctx, FILES, description=text, files=[])
        ctx.say(ctx.t(ASK_FILES, max=MAX_EVIDENCE, count=0), _files_nav(ctx))


async def _find_unit(ctx: Context, text: str) -> None:
    found = await picks.units_named(ctx.session, text)
    if not found:
        ctx.say(ctx.t(NO_UNIT, text=text), [_nav(ctx)])
    elif len(found) > picks.PICKS:
        ctx.say(ctx.t(MANY, n=picks.PICKS), [_nav(ctx)])
    elif len(found) == 1:
        await _unit_chosen(ctx, found[0][0])
    else:
        rows = [[Button(name, DeskPick(action="unit", number=i).pack())] for i, name in found]
        ctx.say(ctx.t(PICK_UNIT), [*rows, _nav(ctx)])


async def _find_worker(ctx: Context, text: str) -> None:
    pending = _pending(ctx)
    found = await picks.workers_named(ctx.session, unit_id=int(pending["unit_id"]), text=text)
    whole = [Button(ctx.t(WHOLE_UNIT), step("whole"))]
    if not found:
        ctx.say(ctx.t(NO_WORKER, unit=pending["unit_name"], text=text), [whole, _nav(ctx)])
    elif len(found) > picks.PICKS:
        ctx.say(ctx.t(MANY, n=picks.PICKS), [whole, _nav(ctx)])
    else:
        rows = [[Button(name, DeskPick(action="wk", number=i).pack())] for i, name in found]
        ctx.say(ctx.t(PICK_UNIT), [*rows, whole, _nav(ctx)])


async def process_other(ctx: Context) -> None:
    ctx.say(ctx.t(N_("Please use the buttons above, or press Cancel.")), [_nav(ctx)])


_STEPS: dict[str, Any] = {
    "start": ask_channel,
    "today": lambda ctx: _day_button(ctx, 0),
    "yesterday": lambda ctx: _day_button(ctx, 1),
    "anon": _anonymous,
    "whole": _whole_unit,
    "files": ask_confirm,
    "send": submit,
    "cancel": _cancel,
}
