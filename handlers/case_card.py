"""The case card an official sees (the complaint, the history, the buttons their role may
press now) and what it opens: the evidence files, the public and the internal 处理意见书.

Every view asks ``handlers.case_scope`` first: a case out of the user's sight is refused and
logged.
"""

from __future__ import annotations

from typing import Any

from domain import cases as rules
from domain import consequences as handling
from domain import dispatch
from domain.complaints import BY_KEY, SEVERITY_NAMES
from domain.masking import mask_name
from handlers import case_scope as scope
from handlers.appeal_card import appeal_answer_rows
from handlers.context import Context
from handlers.objection_desk import show_objection
from messages import callbacks_cases as buttons
from messages.callbacks_hotline import ShowContact
from messages.i18n import N_
from messages.replies import Button
from messages.style import date_text, moment_text
from services import case_evidence as evidence
from services import case_opinion as opinions
from services import cases as case_steps
from services.case_steps import CaseRefused
from storage import case_desk as desk
from storage import objections
from storage.case_opinion import archived_opinion
from storage.cases import Actor, facts_for
from storage.models import Case, CaseEvent

HISTORY_SHOWN = 12
# What an event may say on the card. A unit's card leaves out what may name the complainant:
# the desk's reply to them, their rating comment, and the notes officials keep among themselves.
EVENT_DETAILS = ("reason", "note", "reply", "finding", "comment")
UNIT_EVENT_DETAILS = ("reason", "finding")
BUTTONS = {
    "accept": N_("Accept (受理)"),
    "reject": N_("Reject with a reason"),
    "assign": N_("Assign an investigator"),
    "note": N_("Add a note"),
    "reply": N_("Reply to the complainant"),
    "reclassify": N_("Reclassify"),
    "record_finding": N_("Record the finding and opinion"),
    "extend": N_("Extend with a reason"),
    "close": N_("Close (办结)"),
    "merge": N_("Merge into another case (并单)"),
    "return": N_("Return: outside our remit (退单)"),
    "keep": N_("Keep it with that office (审定)"),
    "redispatch": N_("Route it to another office (审定)"),
}
REFUSED = {
    "role": N_("Your role may not take that step on this case."),
    "scope": N_("That case is not yours to handle."),
    "state": N_("That step is already taken or no longer possible: the case has moved on."),
    "once": N_("That can be done only once, and it was done."),
    "input": N_("That cannot be used here. Please check it and try again."),
    "escalated": N_(
        "Several complainants made this case serious: it cannot be handed to the unit "
        "complained about."
    ),
    "missing": N_("That case does not exist."),
    "chain": N_(
        "So many cases were already merged one into another, down to this one, that it "
        "cannot be merged into another case."
    ),
}
DONE = N_("Done.")
EVENT_SAID = N_("{when} {step}: {said}")


def refusal_text(ctx: Context, reason: str) -> str:
    message = REFUSED.get(reason, REFUSED["input"])
    return ctx.t(message)


async def _actor(ctx: Context, case_id: int) -> Actor:
    case = await ctx.session.get(Case, case_id)
    return (await scope.actor_for(ctx, case) if case is not None else None) or scope.actors(ctx)[0]


async def take_step(ctx: Context, case_id: int, step: Any, **kw: Any) -> bool:
    """Take a step as the role the user sees the case in; a refusal is answered (storage has
    logged it)."""
    actor = await _actor(ctx, case_id)
    try:
        await step(session=ctx.session, case_id=case_id, actor=actor, now=ctx.clock.now(), **kw)
    except CaseRefused as refused:
        message = refusal_text(ctx, refused.reason)
        if ctx.incoming.button is not None:
            ctx.answer(message, alert=True)
        else:
            ctx.say(message)
        return False
    return True


async def may_take(ctx: Context, case_id: int, action: str) -> bool:
    """Whether the user may take ``action`` now, asked before they pick or type anything;
    a refusal is answered and logged like a refused step."""
    actor = await _actor(ctx, case_id)
    try:
        await case_steps.check(
            session=ctx.session, case_id=case_id, action=action, actor=actor, now=ctx.clock.now()
        )
    except CaseRefused as refused:
        ctx.answer(refusal_text(ctx, refused.reason), alert=True)
        return False
    return True


async def show_card(ctx: Context, case_id: int, *, edit: bool = True) -> None:
    seen = await scope.visible(ctx, case_id)
    if seen is None:
        return
    case, actor = seen
    objection = await objections.load(ctx.session, case_id)
    if objection is not None:
        # A worker's objection (申辩) reads and is handled as one, not as a complaint.
        await show_objection(ctx, objection, actor, edit=edit)
        return
    found = await desk.card(ctx.session, case_id)
    assert found is not None
    facts = await facts_for(ctx.session, case, actor)
    rows = _card_buttons(ctx, found, actor, facts)
    # A pending 复查 / 复核 is answered from the card too, by the office that answers it.
    rows[0:0] = await appeal_answer_rows(ctx, case_id, actor)
    ctx.say(_card_text(ctx, found, actor), rows, edit=edit)


def _card_text(ctx: Context, card: desk.Card, actor: Actor) -> str:
    t, case = ctx.t, card.case
    # A unit never sees who complained, nor the worker's full name.
    target = card.unit_name
    if card.worker_name:
        worker = mask_name(card.worker_name) if actor.role == "unit" else card.worker_name
        target = f"{target} · {worker}"
    lines = [
        t(
            N_("Case #{case} ({severity}): {category}"),
            case=case.id,
            severity=t(SEVERITY_NAMES.get(case.severity, case.severity)),
            category=t(BY_KEY[case.category].label),
        ),
        t(N_("State: {state}"), state=t(rules.STATE_NAMES.get(case.state, case.state))),
        t(N_("About: {target}"), target=target),
        t(
            N_("Accept by: {accept}; conclude by: {conclude}"),
            accept=date_text(t, case.accept_due) if case.accept_due else "—",
            conclude=date_text(t, case.conclude_due) if case.conclude_due else "—",
        ),
    ]
    bounced = dispatch.bouncing(
        [dispatch.Move(e.action, e.at) for e in card.history], now=ctx.clock.now()
    )
    if bounced.returns:
        lines.append(
            t(
                N_("Returned {n} time(s) (退单); time spent bouncing: {days} d {hours} h"),
                n=bounced.returns,
                days=bounced.time.days,
                hours=bounced.time.seconds // 3600,
            )
        )
    if actor.role != "unit":
        lines.append(
            t(N_("Complainant: anonymous"))
            if card.complaint.anonymous
            else t(N_("Complainant: left a contact (the button shows it; each view is logged)"))
        )
        lines.append(t(N_("Evidence files: {n}"), n=len(card.evidence)))
    if case.finding:
        lines.append(t(N_("Finding: {finding}"), finding=case.finding))
        lines.append(t(N_("Handling opinion: {opinion}"), opinion=case.opinion))
        if case.consequences:
            names = t(handling.LIST_SEPARATOR).join(
                t(c.name) for c in handling.in_order(case.consequences)
            )
            lines.append(t(N_("Consequences: {names}"), names=names))
        if case.responsible_person and actor.role != "unit":
            lines.append(
                t(
                    N_("Person responsible: {person}; sanction: {sanction}"),
                    person=case.responsible_person,
                    sanction=case.sanction,
                )
            )
    if case.rating is not None:
        comment = "" if actor.role == "unit" else case.rating_comment
        lines.append(t(N_("Rating: {rating} {comment}"), rating=case.rating, comment=comment))
    lines += ["", card.complaint.description, "", t(N_("History:"))]
    zone = ctx.clock.now().tzinfo
    for event in card.history[-HISTORY_SHOWN:]:
        said = _event_detail(ctx, event, for_unit=actor.role == "unit")
        name = t(rules.STEP_NAMES.get(event.action, event.action))
        when = moment_text(t, event.at.astimezone(zone))
        lines.append(t(EVENT_SAID, when=when, step=name, said=said) if said else f"{when} {name}")
    return "\n".join(lines)


def _event_detail(ctx: Context, event: CaseEvent, *, for_unit: bool = False) -> str:
    detail = event.detail
    if detail.get("to") in BY_KEY and detail.get("from") in BY_KEY:
        return f"{ctx.t(BY_KEY[detail['from']].label)} → {ctx.t(BY_KEY[detail['to']].label)}"
    keys: tuple[str, ...] = EVENT_DETAILS
    if for_unit:
        keys = UNIT_EVENT_DETAILS + (("note",) if event.actor_role == "unit" else ())
    for key in keys:
        if detail.get(key):
            return str(detail[key])[:200]
    if detail.get("into"):
        return f"#{detail['into']}"
    if detail.get("rating"):
        return str(detail["rating"])
    return ""


def _card_buttons(
    ctx: Context, card: desk.Card, actor: Actor, facts: rules.Facts
) -> list[list[Button]]:
    t, case = ctx.t, card.case
    steps = rules.available(role=actor.role, facts=facts)
    rows = [
        [Button(t(BUTTONS[step]), buttons.step(step, case.id)) for step in steps[i : i + 2]]
        for i in range(0, len(steps), 2)
    ]
    if actor.role in scope.IDENTITY_ROLES:
        extra = []
        if card.evidence:
            extra.append(
                Button(
                    t(N_("Evidence files ({n})"), n=len(card.evidence)),
                    buttons.action("ev", case.id),
                )
            )
        if not card.complaint.anonymous:
            contact = ShowContact(action="contact", case_id=case.id or 0).pack()
            extra.append(Button(t(N_("Show contact")), contact))
        if extra:
            rows.append(extra)
    if case.state == "closed" and case.finding:
        documents = [Button(t(N_("Handling opinion (PDF)")), buttons.action("doc", case.id))]
        if actor.role == "bureau":
            documents.append(
                Button(
                    t(N_("Internal copy (names the complainant)")), buttons.action("idoc", case.id)
                )
            )
        rows.append(documents)
    rows.append([Button(t(N_("Back to the cases")), buttons.queue("o"))])
    return rows


async def open_card(ctx: Context, case_id: int) -> None:
    """From an alert or a notice: the card as a new message, the alert stays as it was."""
    await show_card(ctx, case_id, edit=False)


async def back_to_card(ctx: Context, case_id: int) -> None:
    ctx.reset()
    await show_card(ctx, case_id, edit=False)


async def send_evidence(ctx: Context, case_id: int) -> None:
    """The evidence files, to the official's own chat (services.case_evidence)."""
    seen = await scope.visible(ctx, case_id)
    if seen is None:
        return
    try:
        await evidence.send_evidence(
            session=ctx.session,
            case_id=case_id,
            actor=seen[1],
            chat_id=ctx.incoming.chat_id,
            language=ctx.language,
            now=ctx.clock.now(),
        )
    except CaseRefused as refused:
        ctx.answer(refusal_text(ctx, refused.reason), alert=True)
        return
    ctx.answer(ctx.t(N_("The files are on their way to you.")))


async def send_opinion(ctx: Context, case_id: int) -> None:
    """The archived public copy of the 处理意见书: no complainant field in it."""
    if await scope.visible(ctx, case_id) is None:
        return
    document = await archived_opinion(ctx.session, case_id)
    if document is None:
        ctx.answer(ctx.t(N_("This case has no handling opinion on file.")), alert=True)
        return
    ctx.send_file(document.filename, document.content, ctx.t(N_("Case #{case}"), case=case_id))
    ctx.answer(ctx.t(DONE))


async def send_internal_opinion(ctx: Context, case_id: int) -> None:
    """The bureau's internal copy, naming the complainant; every request is logged."""
    seen = await scope.visible(ctx, case_id)
    if seen is None:
        return
    try:
        filename, content = await opinions.internal_opinion(
            session=ctx.session,
            case_id=case_id,
            actor=seen[1],
            now=ctx.clock.now(),
            font_file=ctx.deps.pdf_font,
        )
    except CaseRefused as refused:
        ctx.answer(refusal_text(ctx, refused.reason), alert=True)
        return
    ctx.send_file(
        filename, content, ctx.t(N_("Case #{case}, internal copy: confidential."), case=case_id)
    )
    ctx.answer(ctx.t(DONE))
