"""A unit contact records the assessment procedure (五(一)–(四)) of their unit for the cycle
being assessed, step by step on a phone, or sends the procedure sheet.

Steps: ``show_procedure`` (menu button: what is recorded, what is missing) → a step's button →
``process_date`` (typed, or 今天) → for 个人述职 and 谈话考核 ``process_workers`` (every on-duty
worker with one button, or the names typed); for 民主测评 ``process_people`` once per kind, then
``process_reason`` when the people served are not 2 to 4; for 集体研究 ``process_people``
(attendees), then ``process_minutes`` (the file, or later). ``ask_sheet`` →
``process_sheet`` queues a procedure sheet like a results sheet.
"""

from __future__ import annotations

import re
from typing import Any

from domain.procedure import (
    ATTENDEE,
    EVALUATION,
    EVALUATION_KINDS,
    INTERVIEW,
    KIND_NAMES,
    MAX_PEOPLE,
    MEETING,
    REASON_SAME_NAME,
    REPORT,
    SERVED,
    SERVED_MAX,
    SERVED_MIN,
    STEP_NAMES,
    STEPS,
    ProcedureError,
)
from domain.procedure_rows import parse_day
from domain.sheet import unit_key
from handlers.context import Context
from handlers.core import Router
from handlers.uploads import NoUnit, _assessment_year, _own_unit, queue_sheet, sheet_document
from messages.callbacks_procedure import ProcedureAction
from messages.i18n import N_
from messages.replies import Button
from messages.tasks import day_text
from messages.wording import STALE_BUTTON, back_to_menu
from services.procedure import StepInput, attach_minutes, procedure_gaps, record_step
from storage.procedure import cycle_for_year, on_duty_workers, step_rows

AWAIT_DATE = "proc:date"
AWAIT_WORKERS = "proc:workers"
AWAIT_PEOPLE = "proc:people"
AWAIT_REASON = "proc:reason"
AWAIT_MINUTES = "proc:minutes"
AWAIT_SHEET = "proc:sheet"
ROLES = ("unit",)

MENU = N_("Assessment procedure")
TITLE = N_("Assessment procedure of {unit} for {year} (五(一)–(四)):")
STEP_DONE = N_("✅ {step}: {detail}")
STEP_MISSING = N_("❌ {step}: not recorded")
DETAIL_WORKERS = N_("{n} of {of} on-duty workers, {day}")
DETAIL_PEOPLE = N_("{n} people, {day}")
DETAIL_NO_DAY = N_("no date")
DETAIL_NO_MINUTES = N_("minutes missing")
ALL_DONE = N_("Every step is recorded.")
RECORD = N_("Record {step}")
SEND_SHEET = N_("Send a procedure sheet")
SEND_MINUTES = N_("Send the meeting's minutes")
ASK_DATE = N_("{step}: on what day? Type it as 2026-12-05, or press “Today”. /cancel stops.")
TODAY = N_("Today")
BAD_DATE = N_("“{text}” is not a date: type it as 2026-12-05, or press “Today”.")
ASK_WORKERS = N_(
    "{step}: which workers? Press the button if all {n} on-duty workers took part, or type the "
    "names of those who did, separated by 、 or one per line."
)
ALL_WORKERS = N_("All {n} on-duty workers")
UNKNOWN_NAMES = N_("Not on-duty workers of {unit}: {names}. Type the names again as on the roster.")
ASK_KIND = N_("民主测评: the {kind} who took part? Type their names, or press “Nobody”.")
ASK_SERVED = N_(
    "民主测评: the people the workers serve (服务对象), 2 to 4 of them? Type their names."
)
ASK_ATTENDEES = N_("集体研究: who attended the meeting? Type their names.")
NOBODY = N_("Nobody")
ASK_REASON = N_(
    "The plan asks for 2 to 4 of the people served; you named {n}. Type the unit's reason, "
    "or /cancel and record the step again."
)
ASK_MINUTES = N_("Send the meeting's minutes as a document (PDF, image or Word), or press “Later”.")
LATER = N_("Later")
NEED_MINUTES = N_("Please send the minutes as a document (PDF, image or Word), or press “Later”.")
RECORDED = N_("Recorded: {step}.")
MINUTES_KEPT = N_("The minutes “{file}” are on record.")
ASK_SHEET = N_(
    "Send the procedure sheet as a document (XLSX or CSV), one person a row.\n"
    "Columns: 单位, 环节 (个人述职 / 谈话考核 / 民主测评 / 集体研究), 日期, 姓名, "
    "身份 (for 民主测评: 分管领导 / 相关科室负责人 / 服务对象 / 其他), 说明.\n"
    "A step in the sheet replaces what is recorded for it. The minutes are sent here as a file. "
    "/cancel stops."
)
NO_UNIT = N_(
    "Your account is not linked to a unit; ask the employment bureau for a new invitation."
)

_NAMES = re.compile(r"[、,，;；\n]+")
_STEP_ACTIONS = {
    REPORT: "report",
    INTERVIEW: "interview",
    EVALUATION: "evaluation",
    MEETING: "meeting",
}
_EVALUATION_ORDER = tuple(EVALUATION_KINDS)


def router() -> Router:
    r = Router()
    r.button(ProcedureAction.prefix, roles=ROLES)(process_button)
    r.state(AWAIT_DATE, roles=ROLES)(process_date)
    r.state(AWAIT_WORKERS, roles=ROLES)(process_workers)
    r.state(AWAIT_PEOPLE, roles=ROLES)(process_people)
    r.state(AWAIT_REASON, roles=ROLES)(process_reason)
    r.state(AWAIT_MINUTES, roles=ROLES)(process_minutes)
    r.state(AWAIT_SHEET, roles=ROLES)(process_sheet)
    r.menu_rows(procedure_menu_rows, place=25)
    return r


def procedure_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has(*ROLES) or ctx.roles.has("admin"):
        return []
    return [[Button(ctx.t(MENU), ProcedureAction(action="show").pack())]]


def _names(text: str) -> list[str]:
    return [name.strip() for name in _NAMES.split(text) if name.strip()][: MAX_PEOPLE + 1]


async def _unit(ctx: Context) -> tuple[int, str] | None:
    try:
        unit_id, name = await _own_unit(ctx)
    except NoUnit:
        unit_id, name = None, ""
    if unit_id is None:
        ctx.reset()
        ctx.say(ctx.t(NO_UNIT), [[back_to_menu(ctx.t)]])
        return None
    return unit_id, name


async def process_button(ctx: Context) -> None:
    pressed = ProcedureAction.parse(ctx.incoming.button)
    if pressed is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    action = pressed.action
    if action == "show":
        await show_procedure(ctx)
    elif action in _STEP_ACTIONS.values():
        step = next(s for s, a in _STEP_ACTIONS.items() if a == action)
        ctx.reset()
        ctx.goto(AWAIT_DATE, step=step)
        ctx.say(ctx.t(ASK_DATE, step=ctx.t(STEP_NAMES[step])), [[_button(ctx, TODAY, "today")]])
    elif action == "sheet":
        ctx.reset()
        ctx.goto(AWAIT_SHEET)
        ctx.say(ctx.t(ASK_SHEET))
    elif action == "minutes":
        ctx.reset()
        ctx.goto(AWAIT_MINUTES)
        ctx.say(ctx.t(ASK_MINUTES), [[_button(ctx, LATER, "later")]])
    elif action == "today" and ctx.state == AWAIT_DATE:
        await _take_date(ctx, ctx.clock.today().isoformat())
    elif action == "all" and ctx.state == AWAIT_WORKERS:
        await _record_workers(ctx, everyone=True)
    elif action == "none" and ctx.state == AWAIT_PEOPLE:
        await _take_people(ctx, [])
    elif action == "later" and ctx.state == AWAIT_MINUTES:
        ctx.reset()
        await show_procedure(ctx)
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


def _button(ctx: Context, text: str, action: Any, **params: object) -> Button:
    return Button(ctx.t(text, **params), ProcedureAction(action=action).pack())


async def show_procedure(ctx: Context, *, head: str = "") -> None:
    """What is recorded and what is missing, with a button per step; ``head`` (what was just
    recorded) goes first, in a new message rather than over the one pressed."""
    unit = await _unit(ctx)
    if unit is None:
        return
    unit_id, unit_name = unit
    year = await _assessment_year(ctx)
    cycle = await cycle_for_year(ctx.session, year)
    rows = {}
    if cycle is not None and cycle.id is not None:
        rows = {
            r.step: r for r in await step_rows(ctx.session, cycle_id=cycle.id, unit_ids=[unit_id])
        }
    on_duty = (await on_duty_workers(ctx.session, unit_ids=[unit_id])).get(unit_id, [])
    t = ctx.t
    lines = (
        [head, t(TITLE, unit=unit_name, year=year)]
        if head
        else [t(TITLE, unit=unit_name, year=year)]
    )
    for step in STEPS:
        row = rows.get(step)
        if row is None:
            lines.append(t(STEP_MISSING, step=t(STEP_NAMES[step])))
            continue
        day = day_text(t, row.held_on) if row.held_on else t(DETAIL_NO_DAY)
        if step in (REPORT, INTERVIEW):
            detail = t(DETAIL_WORKERS, n=len(row.workers), of=len(on_duty), day=day)
        else:
            detail = t(DETAIL_PEOPLE, n=sum(len(v) for v in row.people.values()), day=day)
        if step == MEETING and not row.minutes_file_id:
            detail = (
                f"{detail}；{t(DETAIL_NO_MINUTES)}"
                if ctx.language == "zh"
                else f"{detail}; {t(DETAIL_NO_MINUTES)}"
            )
        lines.append(t(STEP_DONE, step=t(STEP_NAMES[step]), detail=detail))
    gaps = await procedure_gaps(
        session=ctx.session, cycle_id=cycle.id if cycle else None, unit_ids=[unit_id]
    )
    if not gaps.get(unit_id) and on_duty:
        lines.append(t(ALL_DONE))
    buttons = [
        [_button(ctx, RECORD, _STEP_ACTIONS[step], step=t(STEP_NAMES[step]))] for step in STEPS
    ]
    if MEETING in rows:
        buttons.append([_button(ctx, SEND_MINUTES, "minutes")])
    buttons.append([_button(ctx, SEND_SHEET, "sheet")])
    buttons.append([back_to_menu(t)])
    ctx.say("\n".join(lines), buttons, edit=ctx.incoming.button is not None and not head)


async def process_date(ctx: Context) -> None:
    await _take_date(ctx, ctx.incoming.text or "")


async def _take_date(ctx: Context, text: str) -> None:
    day = parse_day(text[:40])
    step = str(ctx.data.get("step", ""))
    if day is None or step not in STEPS:
        ctx.say(ctx.t(BAD_DATE, text=text[:40]), [[_button(ctx, TODAY, "today")]])
        return
    ctx.goto(ctx.state, held_on=day.isoformat())
    t = ctx.t
    if step in (REPORT, INTERVIEW):
        unit = await _unit(ctx)
        if unit is None:
            return
        n = len((await on_duty_workers(ctx.session, unit_ids=[unit[0]])).get(unit[0], []))
        ctx.goto(AWAIT_WORKERS)
        ctx.say(
            t(ASK_WORKERS, step=t(STEP_NAMES[step]), n=n), [[_button(ctx, ALL_WORKERS, "all", n=n)]]
        )
    elif step == EVALUATION:
        ctx.goto(AWAIT_PEOPLE, kind=_EVALUATION_ORDER[0], people={})
        _ask_kind(ctx, _EVALUATION_ORDER[0])
    else:
        ctx.goto(AWAIT_PEOPLE, kind=ATTENDEE, people={})
        ctx.say(t(ASK_ATTENDEES))


def _ask_kind(ctx: Context, kind: str) -> None:
    if kind == SERVED:
        ctx.say(ctx.t(ASK_SERVED))
        return
    ctx.say(ctx.t(ASK_KIND, kind=ctx.t(KIND_NAMES[kind])), [[_button(ctx, NOBODY, "none")]])


async def process_workers(ctx: Context) -> None:
    await _record_workers(ctx, everyone=False)


async def _record_workers(ctx: Context, *, everyone: bool) -> None:
    unit = await _unit(ctx)
    if unit is None:
        return
    unit_id, unit_name = unit
    on_duty = (await on_duty_workers(ctx.session, unit_ids=[unit_id])).get(unit_id, [])
    if everyone:
        workers = [w for w, _ in on_duty]
    else:
        ids_of: dict[str, list[int]] = {}
        for worker_id, name in on_duty:
            ids_of.setdefault(unit_key(name), []).append(worker_id)
        names = _names(ctx.incoming.text or "")
        unknown = [n for n in names if unit_key(n) not in ids_of]
        twice = [n for n in names if len(ids_of.get(unit_key(n), [])) > 1]
        if unknown or twice:
            if unknown:
                shown = "、".join(n[:20] for n in unknown[:10])
                ctx.say(ctx.t(UNKNOWN_NAMES, unit=unit_name, names=shown))
            else:
                ctx.say(ctx.t(REASON_SAME_NAME, unit=unit_name, name=twice[0][:20]))
            return
        workers = [ids_of[unit_key(n)][0] for n in names]
    await _record(
        ctx,
        unit_id,
        StepInput(step=str(ctx.data["step"]), held_on=_day(ctx), workers=tuple(workers)),
    )


async def process_people(ctx: Context) -> None:
    await _take_people(ctx, _names(ctx.incoming.text or ""))


async def _take_people(ctx: Context, names: list[str]) -> None:
    kind = str(ctx.data.get("kind", ""))
    people: dict[str, list[str]] = dict(ctx.data.get("people") or {})
    if not names and kind in (SERVED, ATTENDEE):
        ctx.say(ctx.t(ASK_SERVED if kind == SERVED else ASK_ATTENDEES))
        return
    people[kind] = names
    unit = await _unit(ctx)
    if unit is None:
        return
    step = str(ctx.data.get("step"))
    if step == EVALUATION and kind != _EVALUATION_ORDER[-1]:
        following = _EVALUATION_ORDER[_EVALUATION_ORDER.index(kind) + 1]
        ctx.goto(AWAIT_PEOPLE, kind=following, people=people)
        _ask_kind(ctx, following)
        return
    served = len(people.get(SERVED, []))
    if step == EVALUATION and not SERVED_MIN <= served <= SERVED_MAX:
        ctx.goto(AWAIT_REASON, people=people)
        ctx.say(ctx.t(ASK_REASON, n=served))
        return
    ctx.goto(ctx.state, people=people)
    await _record(ctx, unit[0], StepInput(step=step, held_on=_day(ctx), people=people))


async def process_reason(ctx: Context) -> None:
    unit = await _unit(ctx)
    if unit is None:
        return
    people = dict(ctx.data.get("people") or {})
    entry = StepInput(
        step=EVALUATION, held_on=_day(ctx), people=people, reason=(ctx.incoming.text or "")[:600]
    )
    await _record(ctx, unit[0], entry)


def _day(ctx: Context) -> Any:
    text = ctx.data.get("held_on")
    return parse_day(text) if isinstance(text, str) else None


async def _record(ctx: Context, unit_id: int, entry: StepInput) -> None:
    year = await _assessment_year(ctx)
    try:
        await record_step(
            session=ctx.session,
            year=year,
            unit_id=unit_id,
            entry=entry,
            actor=f"tg:{ctx.user_id}",
            actor_user_id=ctx.user_id,
            today=ctx.clock.today(),
            now=ctx.clock.now(),
        )
    except ProcedureError as error:
        ctx.reset()
        ctx.say(ctx.t(error.reason, **error.params), [[_button(ctx, MENU, "show")]])
        return
    ctx.reset()
    recorded = ctx.t(RECORDED, step=ctx.t(STEP_NAMES[entry.step]))
    if entry.step == MEETING:
        ctx.goto(AWAIT_MINUTES)
        ctx.say(f"{recorded}\n{ctx.t(ASK_MINUTES)}", [[_button(ctx, LATER, "later")]])
        return
    await show_procedure(ctx, head=recorded)


async def process_minutes(ctx: Context) -> None:
    file = ctx.incoming.file
    if file is None or file.kind != "document":
        ctx.say(ctx.t(NEED_MINUTES), [[_button(ctx, LATER, "later")]])
        return
    unit = await _unit(ctx)
    if unit is None:
        return
    name = file.file_name or "minutes"
    try:
        await attach_minutes(
            session=ctx.session,
            year=await _assessment_year(ctx),
            unit_id=unit[0],
            unit_name=unit[1],
            file_name=name,
            file_id=file.file_id,
            actor=f"tg:{ctx.user_id}",
            actor_user_id=ctx.user_id,
            now=ctx.clock.now(),
        )
    except ProcedureError as error:
        ctx.say(ctx.t(error.reason, **error.params), [[_button(ctx, LATER, "later")]])
        return
    ctx.reset()
    await show_procedure(ctx, head=ctx.t(MINUTES_KEPT, file=name))


async def process_sheet(ctx: Context) -> None:
    file = sheet_document(ctx)
    if file is None:
        return
    unit = await _unit(ctx)
    if unit is None:
        return
    year = await _assessment_year(ctx)
    await queue_sheet(ctx, file, kind="procedure", cycle_year=year, only_unit_id=unit[0])
