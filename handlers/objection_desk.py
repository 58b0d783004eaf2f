"""A worker's objection (申辩) on the desk and at her unit, in its own words.

The case card of an objection (``show_objection``, reached from the desk's queue and from the
alert's 「打开申辩」) shows what she objects to, the result as it stands, her reasons, the
unit's statement and the decision. Steps: 「受理（请单位说明）」 at once; 「不予受理」 →
``ask_text``; 「作出决定」 → ``ask_decision`` → (更正等次) ``ask_grade`` → ``ask_text`` (the
reasons) → ``confirm_decision`` (what the worker will be told) → 「确认」; the unit's
「填写单位说明」 → ``ask_text`` → ``process_text``.

Every step goes through ``services.objection_steps``, which checks the role, the unit and
the state on the server and logs each refusal.
"""

from __future__ import annotations

from typing import Any

from domain import objections as rules
from domain.masking import mask_name
from handlers import case_scope as scope
from handlers.context import Context
from handlers.core import Router
from messages import callbacks_cases as case_buttons
from messages.callbacks_objection import ObjectionAct, ObjectionPick, act, pick
from messages.i18n import N_
from messages.replies import Button
from messages.style import date_text, moment_text
from messages.wording import STALE_BUTTON, back_to_menu
from services import objection_steps as steps
from services.objection_steps import TOLD
from services.objections import renewal_name
from storage.cases import Actor
from storage.models import CaseEvent
from storage.objections import ObjectionFile, awaiting_statement, load

OBJECTION_TEXT = "objection_text"
OBJECTION_CONFIRM = "objection_confirm"
ROLES = ("bureau", "unit")

BUTTONS = {
    "accept": N_("Accept (受理) and ask the unit"),
    "reject": N_("Not accepted (不予受理)"),
    "decide": N_("Decide"),
    "note": N_("Add a note"),
}
ASK_TEXT = {
    "reject": N_("Objection #{case}: type the reason it is not accepted. The worker is told it."),
    "note": N_("Objection #{case}: type the note."),
    "statement": N_(
        "Objection #{case}: type your unit's statement (单位说明), up to {max} characters."
    ),
    "decide": N_(
        "Objection #{case}, {decision}: type the reasons (up to {max} characters). The worker "
        "is told them."
    ),
}
ASK_DECISION = N_("Objection #{case}: what does the bureau decide?")
ASK_GRADE = N_("Objection #{case}: correct the grade {grade} to which grade?")
CONFIRM_TEXT = N_("Objection #{case}: please check. The worker will be told:\n\n{told}\n\nConfirm?")
CONFIRM = N_("Confirm")
DONE = N_("Done.")
AWAITING = N_("Objections awaiting our statement")
AWAITING_HEAD = N_("Objections (申辩) of your unit's workers waiting for your statement:")
AWAITING_NONE = N_("No objection is waiting for your unit's statement.")
AWAITING_ONE = N_("#{case} · {name} · {post}")
REFUSED = {
    "role": N_("Your role may not take that step on this objection."),
    "scope": N_("That objection is not your unit's."),
    "state": N_("That step is already taken or no longer possible: the objection has moved on."),
    "input": N_("That cannot be used here. Please check it and try again."),
    "missing": N_("That objection does not exist."),
}
STATEMENT_SENT = N_("Thank you: the statement is with the employment bureau.")
TYPE_IT = N_("Please type the text, or press Cancel.")
TOO_LONG = N_("That is {n} characters; it may have {max}. Please shorten it.")


def router() -> Router:
    r = Router()
    r.button(ObjectionAct.prefix, roles=ROLES)(process_button)
    r.state(OBJECTION_TEXT, roles=ROLES)(process_text)
    r.state(OBJECTION_CONFIRM, roles=("bureau",))(process_typed_while_confirming)
    r.menu_rows(unit_menu_rows, place=12)
    return r


def unit_menu_rows(ctx: Context) -> list[list[Button]]:
    """A unit contact finds the objections waiting for its statement again from the menu."""
    if not ctx.roles.has("unit"):
        return []
    return [[Button(ctx.t(AWAITING), act("list", 0))]]


async def show_awaiting(ctx: Context) -> None:
    rows: list[list[Button]] = []
    for binding in ctx.roles.bindings:
        if binding.role != "unit" or binding.unit_id is None:
            continue
        for case_id, name, post in await awaiting_statement(ctx.session, binding.unit_id):
            label = ctx.t(AWAITING_ONE, case=case_id, name=mask_name(name), post=post)
            rows.append([Button(label, act("stmt", case_id))])
    text = ctx.t(AWAITING_HEAD if rows else AWAITING_NONE)
    ctx.say(text, [*rows, [back_to_menu(ctx.t)]], edit=ctx.incoming.button is not None)


def refusal_text(ctx: Context, reason: str) -> str:
    return ctx.t(REFUSED.get(reason, REFUSED["input"]))


def _actor(ctx: Context, found: ObjectionFile) -> Actor | None:
    """The bureau, or a contact of the objection's own unit; None for anyone else."""
    bureau = scope.actors(ctx, ("bureau",))
    if bureau:
        return bureau[0]
    for binding in ctx.roles.bindings:
        if binding.role == "unit" and binding.unit_id == found.case.unit_id:
            return Actor(user_id=ctx.user_id, role="unit", unit_id=binding.unit_id)
    units = scope.actors(ctx, ("unit",))
    return units[0] if units else None


# --- the card -------------------------------------------------------------------------------


async def show_objection(ctx: Context, found: ObjectionFile, actor: Actor, *, edit: bool) -> None:
    """The objection's card for the desk."""
    ctx.say(card_text(ctx, found), _card_buttons(ctx, found, actor), edit=edit)


def card_text(ctx: Context, found: ObjectionFile) -> str:
    t, case, objection = ctx.t, found.case, found.objection
    result = found.result
    grade = result.grade if result else objection.grade_then or "—"
    renew = result.renew if result else objection.renew_then
    lines = [
        t(N_("Objection (申辩) #{case}: a worker against her own result"), case=case.id),
        t(N_("State: {state}"), state=t(rules.STATE_NAMES.get(case.state, case.state))),
        t(
            N_("Worker: {unit} · {name} · post: {post}"),
            unit=found.unit_name,
            name=found.worker_name,
            post=result.post_title if result else "—",
        ),
        t(
            N_("Objects to: {subject} (now: {grade}, {renewal})"),
            subject=t(rules.SUBJECTS.get(objection.subject, objection.subject)),
            grade=grade,
            renewal=t(renewal_name(renew)),
        ),
        t(
            N_("Accept by: {accept}; decide by: {conclude}"),
            accept=date_text(t, case.accept_due) if case.accept_due else "—",
            conclude=date_text(t, case.conclude_due) if case.conclude_due else "—",
        ),
        "",
        t(N_("Her reasons:")),
        found.complaint.description,
        "",
        t(N_("The unit's statement: {statement}"), statement=objection.statement)
        if objection.statement
        else t(N_("The unit's statement: not given yet")),
    ]
    if objection.decision:
        lines.append(
            t(
                N_("Decision: {decision}. Reasons: {reasons}"),
                decision=t(rules.DECISIONS[objection.decision]),
                reasons=objection.reasons,
            )
        )
    lines += ["", t(N_("History:"))]
    zone = ctx.clock.now().tzinfo
    for event in found_history(found):
        name = t(rules.STEP_NAMES.get(event.action, event.action))
        said = _said(event)
        when = moment_text(t, event.at.astimezone(zone))
        lines.append(f"{when} {name}：{said}" if said else f"{when} {name}")
    return "\n".join(lines)


def found_history(found: ObjectionFile) -> list[CaseEvent]:
    return list(found.history)[-12:]


def _said(event: CaseEvent) -> str:
    for key in ("reason", "note", "statement", "reasons"):
        if event.detail.get(key):
            return str(event.detail[key])[:200]
    return ""


def _card_buttons(ctx: Context, found: ObjectionFile, actor: Actor) -> list[list[Button]]:
    case = found.case
    shown = [step for step in rules.available(role=actor.role, state=case.state) if step in BUTTONS]
    rows = [
        [Button(ctx.t(BUTTONS[step]), act(_CODES[step], case.id)) for step in shown[i : i + 2]]
        for i in range(0, len(shown), 2)
    ]
    if found.evidence:
        rows.append(
            [
                Button(
                    ctx.t(N_("Evidence files ({n})"), n=len(found.evidence)),
                    case_buttons.action("ev", case.id),
                )
            ]
        )
    rows.append([Button(ctx.t(N_("Back to the cases")), case_buttons.queue("o"))])
    return rows


_CODES: dict[str, Any] = {"accept": "acc", "reject": "rej", "decide": "dec", "note": "note"}
_STEP_OF_CODE = {
    "acc": "accept",
    "rej": "reject",
    "dec": "decide",
    "note": "note",
    "stmt": "statement",
}


# --- the buttons ----------------------------------------------------------------------------


async def process_button(ctx: Context) -> None:
    data = ctx.incoming.button
    pressed = ObjectionAct.parse(data)
    chosen = ObjectionPick.parse(data)
    if pressed is not None and pressed.action == "list":
        await show_awaiting(ctx)
        return
    case_id = pressed.case_id if pressed else chosen.case_id if chosen else -1
    found = await load(ctx.session, case_id) if case_id >= 0 else None
    actor = _actor(ctx, found) if found is not None else None
    if found is None or actor is None:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    if pressed is not None and pressed.action == "ok":
        await confirm(ctx, found, actor)
    elif pressed is not None:
        await _step(ctx, found, actor, _STEP_OF_CODE[pressed.action])
    elif chosen is not None and chosen.action == "dc":
        await _decision_picked(ctx, found, actor, chosen.choice)
    elif chosen is not None:
        await _grade_picked(ctx, found, actor, chosen.choice)


async def _may(ctx: Context, found: ObjectionFile, actor: Actor, action: str) -> bool:
    try:
        await steps.check(
            session=ctx.session,
            case_id=found.case.id or 0,
            action=action,
            actor=actor,
            now=ctx.clock.now(),
        )
    except steps.CaseRefused as refused:
        ctx.answer(refusal_text(ctx, refused.reason), alert=True)
        return False
    return True


async def _step(ctx: Context, found: ObjectionFile, actor: Actor, action: str) -> None:
    if not await _may(ctx, found, actor, action):
        return
    case_id = found.case.id or 0
    if action == "accept":
        await steps.accept(
            session=ctx.session,
            case_id=case_id,
            actor=actor,
            now=ctx.clock.now(),
            calendar=ctx.deps.calendar,
        )
        ctx.answer(ctx.t(DONE))
        await _reshow(ctx, case_id, actor)
    elif action == "decide":
        rows = [
            [Button(ctx.t(name), pick("dc", case_id, index))]
            for index, name in enumerate(rules.DECISIONS.values())
        ]
        rows.append([_cancel(ctx, case_id)])
        ctx.say(ctx.t(ASK_DECISION, case=case_id), rows)
    else:
        ask_text(ctx, case_id, action)


def _cancel(ctx: Context, case_id: int) -> Button:
    return Button(ctx.t(N_("Cancel")), case_buttons.action("x", case_id))


def ask_text(ctx: Context, case_id: int, action: str, **extra: Any) -> None:
    ctx.goto(OBJECTION_TEXT, objection_step={"case": case_id, "action": action, **extra})
    decision = extra.get("decision")
    ctx.say(
        ctx.t(
            ASK_TEXT[action],
            case=case_id,
            max=rules.REASONS_MAX,
            decision=ctx.t(rules.DECISIONS[decision]) if decision else "",
        ),
        [[_cancel(ctx, case_id)]],
    )


async def _decision_picked(ctx: Context, found: ObjectionFile, actor: Actor, index: int) -> None:
    keys = list(rules.DECISIONS)
    if not 0 <= index < len(keys) or not await _may(ctx, found, actor, "decide"):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    decision, case_id = keys[index], found.case.id or 0
    current = found.result.grade if found.result else found.objection.grade_then
    if decision == "regrade":
        rows = [
            [Button(grade, pick("gr", case_id, i))]
            for i, grade in enumerate(rules.grades_offered(current))
        ]
        ctx.say(ctx.t(ASK_GRADE, case=case_id, grade=current), [*rows, [_cancel(ctx, case_id)]])
        return
    ask_text(ctx, case_id, "decide", decision=decision)


async def _grade_picked(ctx: Context, found: ObjectionFile, actor: Actor, index: int) -> None:
    current = found.result.grade if found.result else found.objection.grade_then
    offered = rules.grades_offered(current)
    if not 0 <= index < len(offered) or not await _may(ctx, found, actor, "decide"):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ask_text(ctx, found.case.id or 0, "decide", decision="regrade", to_grade=offered[index])


async def process_text(ctx: Context) -> None:
    pending = ctx.data.get("objection_step")
    text = (ctx.incoming.text or "").strip()
    if not isinstance(pending, dict) or not text:
        ctx.say(ctx.t(TYPE_IT))
        return
    if len(text) > rules.REASONS_MAX:
        ctx.say(ctx.t(TOO_LONG, n=len(text), max=rules.REASONS_MAX))
        return
    case_id, action = int(pending["case"]), str(pending["action"])
    found = await load(ctx.session, case_id)
    actor = _actor(ctx, found) if found is not None else None
    if found is None or actor is None:
        ctx.reset()
        ctx.say(ctx.t(STALE_BUTTON))
        return
    if action == "decide":
        await confirm_decision(ctx, found, {**pending, "reasons": text})
        return
    ctx.reset()
    taken: dict[str, Any] = {
        "reject": steps.reject,
        "note": steps.note,
        "statement": steps.state_statement,
    }
    kw = {"reason": text} if action == "reject" else {"text": text}
    try:
        await taken[action](
            session=ctx.session, case_id=case_id, actor=actor, now=ctx.clock.now(), **kw
        )
    except steps.CaseRefused as refused:
        ctx.say(refusal_text(ctx, refused.reason))
        return
    if action == "statement":
        ctx.say(ctx.t(STATEMENT_SENT), [[back_to_menu(ctx.t)]])
        return
    ctx.say(ctx.t(DONE))
    await _reshow(ctx, case_id, actor)


async def confirm_decision(ctx: Context, found: ObjectionFile, pending: dict[str, Any]) -> None:
    """What the worker will be told, before the decision is taken."""
    result, objection = found.result, found.objection
    grade = result.grade if result else objection.grade_then
    renew = result.renew if result else objection.renew_then
    decision = str(pending.get("decision"))
    outcome = rules.decided(decision, grade=grade, renew=renew, to_grade=pending.get("to_grade"))
    case_id = found.case.id or 0
    if outcome is None:
        ctx.reset()
        ctx.say(refusal_text(ctx, "input"))
        return
    t = ctx.t
    told = t(
        TOLD[decision],
        code=found.complaint.ticket_code,
        grade=outcome.grade,
        grade_then=grade,
        renewal=t(renewal_name(outcome.renew)),
        renewal_then=t(renewal_name(renew)),
        reasons=pending["reasons"],
    )
    ctx.goto(OBJECTION_CONFIRM, objection_step=pending)
    ctx.say(
        t(CONFIRM_TEXT, case=case_id, told=told),
        [[Button(t(CONFIRM), act("ok", case_id)), _cancel(ctx, case_id)]],
    )


async def process_typed_while_confirming(ctx: Context) -> None:
    ctx.say(ctx.t(N_("Please press Confirm or Cancel above.")))


async def confirm(ctx: Context, found: ObjectionFile, actor: Actor) -> None:
    pending = ctx.data.get("objection_step")
    case_id = found.case.id or 0
    if (
        ctx.state != OBJECTION_CONFIRM
        or not isinstance(pending, dict)
        or pending.get("case") != case_id
    ):
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    ctx.reset()
    channel = ctx.deps.public_channel
    try:
        await steps.decide(
            session=ctx.session,
            case_id=case_id,
            actor=actor,
            now=ctx.clock.now(),
            decision=str(pending["decision"]),
            reasons=str(pending["reasons"]),
            to_grade=pending.get("to_grade"),
            channel_id=int(channel) if channel else None,
            language=ctx.deps.language,
        )
    except steps.CaseRefused as refused:
        ctx.answer(refusal_text(ctx, refused.reason), alert=True)
        return
    ctx.answer(ctx.t(DONE))
    await _reshow(ctx, case_id, actor)


async def _reshow(ctx: Context, case_id: int, actor: Actor) -> None:
    found = await load(ctx.session, case_id)
    if found is not None:
        await show_objection(ctx, found, actor, edit=False)
