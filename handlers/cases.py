"""The officials' case desk, and the complainant's rating.

Steps: ``show_queue`` (per role: the bureau sees every case, investigators the serious ones
assigned to them or to nobody, a unit contact the minor ones of their unit; filters open,
overdue, mine, all) → ``show_card`` (the complaint, the history, the buttons that role may
press now) → a step: ``accept``, ``close`` at once; ``ask_investigator`` → ``assign``;
``ask_category`` → ``reclassify`` (the new route's officials alerted); ``ask_finding`` →
``ask_text``; ``ask_text`` (a reason, a note, a reply to the complainant, the opinion, the
other case's number) → ``process_text``. ``send_evidence`` sends the evidence files through
the outbox. The complainant: ``process_rating`` (1-5) → optional ``process_rating_comment``.

Button data is never trusted: every step goes through ``storage.cases``, which checks the role
and the case's state on the server and writes every refusal to the audit log.
"""

from __future__ import annotations

from typing import Any

from domain import cases as rules
from domain.complaints import BY_KEY, CATEGORIES, SEVERITY_NAMES
from domain.masking import mask_name
from domain.workdays import WorkCalendar
from handlers import case_scope as scope
from handlers.case_scope import DESK_ROLES
from handlers.context import Context
from handlers.core import Router
from handlers.hotline import alert_case
from messages.i18n import N_
from messages.replies import Button
from storage import case_desk as desk
from storage import case_opinion as opinions
from storage import cases as store
from storage.case_export import export_cases
from storage.complaints import investigators
from storage.models import Case, CaseEvent
from storage.outbox import PRIORITY, enqueue
from storage.publication import current_cycle

CASE_TEXT = "case_text"
RATING_COMMENT = "case_rating_comment"
HISTORY_SHOWN = 12
# What an event may say on the card. A unit's card leaves out what may name the complainant:
# the desk's reply to them, their rating comment, and the notes officials keep among themselves.
EVENT_DETAILS = ("reason", "note", "reply", "finding", "comment")
UNIT_EVENT_DETAILS = ("reason", "finding")

FILTERS = {"o": "open", "d": "overdue", "m": "mine", "a": "all"}
FILTER_NAMES = {
    "o": N_("Open"),
    "d": N_("Overdue"),
    "m": N_("Mine"),
    "a": N_("All"),
}
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
}
ASK_TEXT = {
    "reject": N_("Case #{case}: type the reason for not accepting it. The complainant is told."),
    "note": N_("Case #{case}: type the note."),
    "reply": N_(
        "Case #{case}: type the reply to the complainant (up to 1,000 characters). They receive "
        "it with their ticket code, from your office, without your name."
    ),
    "record_finding": N_(
        "Case #{case}, finding {finding}: type the handling opinion (处理意见). The complainant "
        "is told it when the case is closed."
    ),
    "extend": N_("Case #{case}: type the reason for the extension."),
    "merge": N_("Case #{case}: type the number of the case to merge it into."),
}
REFUSED = {
    "role": N_("Your role may not take that step on this case."),
    "scope": N_("That case is not yours to handle."),
    "state": N_("That step is already taken or no longer possible: the case has moved on."),
    "once": N_("That can be done only once, and it was done."),
    "input": N_("That cannot be used here. Please check it and try again."),
    "missing": N_("That case does not exist."),
}
STALE = N_("This button is no longer valid. Send /start for the menu.")


def _refusal_text(ctx: Context, reason: str) -> str:
    message = REFUSED.get(reason, REFUSED["input"])
    return ctx.t(message)


DONE = N_("Done.")


def router() -> Router:
    r = Router()
    r.command("cases", roles=DESK_ROLES)(show_desk)
    r.button("cs", roles=DESK_ROLES)(process_case_button)
    r.state(CASE_TEXT, roles=DESK_ROLES)(process_text)
    r.button("rt")(process_rating)
    r.state(RATING_COMMENT)(process_rating_comment)
    r.menu_rows(case_menu_rows, place=10)
    return r


def case_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has(*DESK_ROLES):
        return []
    rows = [[Button(ctx.t(N_("Cases")), "cs:q:o:0")]]
    if ctx.roles.has("bureau"):
        rows.append([Button(ctx.t(N_("Export the cases (Excel)")), "cs:export")])
    return rows


def _calendar(ctx: Context) -> WorkCalendar:
    return ctx.deps.calendar


def _numbers(parts: list[str]) -> list[int] | None:
    return [int(p) for p in parts] if parts and all(p.isdigit() for p in parts) else None


# --- the queue ------------------------------------------------------------------------------


async def show_desk(ctx: Context) -> None:
    await show_queue(ctx, key="o", page=0, edit=False)


async def show_queue(ctx: Context, *, key: str, page: int, edit: bool = True) -> None:
    t = ctx.t
    actor = scope.actors(ctx)[0]
    cases, total = await desk.queue(
        ctx.session, actor=actor, filter_name=FILTERS[key], today=ctx.clock.today(), page=page
    )
    # Only investigators are ever assigned a case: 「我的」 is theirs alone.
    shown = [k for k in FILTERS if FILTERS[k] != "mine" or actor.role == "investigator"]
    rows = [
        [
            Button(f"• {t(FILTER_NAMES[k])}" if k == key else t(FILTER_NAMES[k]), f"cs:q:{k}:0")
            for k in shown
        ]
    ]
    rows += [[Button(_queue_label(ctx, case), f"cs:card:{case.id}")] for case in cases]
    paging = []
    if page > 0:
        paging.append(Button(t(N_("« Previous")), f"cs:q:{key}:{page - 1}"))
    if (page + 1) * desk.PAGE_SIZE < total:
        paging.append(Button(t(N_("Next »")), f"cs:q:{key}:{page + 1}"))
    if paging:
        rows.append(paging)
    rows.append([Button(t(N_("Back to the menu")), "menu:home")])
    name = t(FILTER_NAMES[key])
    header = (
        t(N_("Cases ({filter}): {n}"), filter=name, n=total)
        if total
        else t(N_("No cases here ({filter})."), filter=name)
    )
    ctx.say(header, rows, edit=edit)


def _queue_label(ctx: Context, case: Case) -> str:
    due = case.accept_due if case.state == "submitted" else case.conclude_due
    overdue = due is not None and due < ctx.clock.today() and case.state in rules.OPEN_STATES
    mark = "⚠️ " if overdue else ""
    return (
        f"{mark}#{case.id} {ctx.t(BY_KEY[case.category].label)} · "
        f"{ctx.t(rules.STATE_NAMES.get(case.state, case.state))}"
        + (f" · {due:%m-%d}" if due and case.state in rules.OPEN_STATES else "")
    )


async def send_export(ctx: Context) -> None:
    """The newest cycle's cases as a spreadsheet, for the bureau (no complainant in it)."""
    if not ctx.roles.has("bureau"):
        ctx.answer(_refusal_text(ctx, "role"), alert=True)
        return
    cycle = await current_cycle(ctx.session)
    content = await export_cases(
        session=ctx.session,
        cycle=cycle,
        file_format="xlsx",
        now=ctx.clock.now(),
        language=ctx.language,
    )
    name = f"cases-{cycle.year if cycle else 'all'}.xlsx"
    ctx.send_file(name, content, ctx.t(N_("The hotline cases, as a spreadsheet.")))
    ctx.answer(ctx.t(DONE))


# --- buttons --------------------------------------------------------------------------------


async def process_case_button(ctx: Context) -> None:
    parts = (ctx.incoming.button or "").split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "q" and len(parts) == 4 and parts[2] in FILTERS and parts[3].isdigit():
        await show_queue(ctx, key=parts[2], page=int(parts[3]))
        return
    if action == "export" and len(parts) == 2:
        await send_export(ctx)
        return
    numbers = _numbers(parts[2:])
    if numbers is None:
        ctx.answer(ctx.t(STALE))
        return
    case_id = numbers[0]
    simple = {
        "card": show_card,
        "open": open_card,
        "ev": send_evidence,
        "acc": accept,
        "cls": close,
        "asg": ask_investigator,
        "find": ask_finding,
        "rcl": ask_category,
        "x": back_to_card,
        "doc": send_opinion,
        "idoc": send_internal_opinion,
    }
    typed = {"rej": "reject", "note": "note", "rep": "reply", "ext": "extend", "mrg": "merge"}
    if action in simple and len(numbers) == 1:
        await simple[action](ctx, case_id)
    elif action in typed and len(numbers) == 1:
        await ask_text(ctx, case_id, typed[action])
    elif action == "to" and len(numbers) == 2:
        await assign(ctx, case_id, numbers[1])
    elif action == "cat" and len(numbers) == 2 and numbers[1] < len(CATEGORIES):
        await reclassify(ctx, case_id, CATEGORIES[numbers[1]].key)
    elif action == "fd" and len(numbers) == 2 and numbers[1] < len(rules.FINDINGS):
        await ask_text(ctx, case_id, "record_finding", finding=rules.FINDINGS[numbers[1]])
    else:
        ctx.answer(ctx.t(STALE))


async def show_card(ctx: Context, case_id: int, *, edit: bool = True) -> None:
    seen = await scope.visible(ctx, case_id)
    if seen is None:
        return
    case, actor = seen
    found = await desk.card(ctx.session, case_id)
    assert found is not None
    facts = await store.facts_for(ctx.session, case, actor)
    ctx.say(_card_text(ctx, found, actor), _card_buttons(ctx, found, actor, facts), edit=edit)


def _card_text(ctx: Context, card: desk.Card, actor: store.Actor) -> str:
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
            accept=str(case.accept_due or "—"),
            conclude=str(case.conclude_due or "—"),
        ),
    ]
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
    if case.rating is not None:
        comment = "" if actor.role == "unit" else case.rating_comment
        lines.append(t(N_("Rating: {rating} {comment}"), rating=case.rating, comment=comment))
    lines += ["", card.complaint.description, "", t(N_("History:"))]
    zone = ctx.clock.now().tzinfo
    for event in card.history[-HISTORY_SHOWN:]:
        said = _event_detail(ctx, event, for_unit=actor.role == "unit")
        name = t(rules.STEP_NAMES.get(event.action, event.action))
        when = event.at.astimezone(zone)
        lines.append(f"{when:%m-%d %H:%M} {name}" + (f": {said}" if said else ""))
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
    ctx: Context, card: desk.Card, actor: store.Actor, facts: rules.Facts
) -> list[list[Button]]:
    t, case = ctx.t, card.case
    codes = {
        "accept": "acc",
        "reject": "rej",
        "assign": "asg",
        "note": "note",
        "reply": "rep",
        "reclassify": "rcl",
        "record_finding": "find",
        "extend": "ext",
        "close": "cls",
        "merge": "mrg",
    }
    steps = rules.available(role=actor.role, facts=facts)
    rows = [
        [Button(t(BUTTONS[step]), f"cs:{codes[step]}:{case.id}") for step in steps[i : i + 2]]
        for i in range(0, len(steps), 2)
    ]
    if actor.role != "unit":
        extra = []
        if card.evidence:
            extra.append(
                Button(t(N_("Evidence files ({n})"), n=len(card.evidence)), f"cs:ev:{case.id}")
            )
        if not card.complaint.anonymous:
            extra.append(Button(t(N_("Show contact")), f"hl:contact:{case.id}"))
        if extra:
            rows.append(extra)
    if case.state == "closed" and case.finding:
        documents = [Button(t(N_("Handling opinion (PDF)")), f"cs:doc:{case.id}")]
        if actor.role == "bureau":
            documents.append(
                Button(t(N_("Internal copy (names the complainant)")), f"cs:idoc:{case.id}")
            )
        rows.append(documents)
    rows.append([Button(t(N_("Back to the cases")), "cs:q:o:0")])
    return rows


async def open_card(ctx: Context, case_id: int) -> None:
    """From an alert or a notice: the card as a new message, the alert stays as it was."""
    await show_card(ctx, case_id, edit=False)


async def back_to_card(ctx: Context, case_id: int) -> None:
    ctx.reset()
    await show_card(ctx, case_id, edit=False)


async def send_evidence(ctx: Context, case_id: int) -> None:
    """The files go through the outbox: a reply cannot carry a Telegram file_id. Units get
    none: a complainant's own photos may show who they are."""
    seen = await scope.visible(ctx, case_id)
    if seen is None:
        return
    case, actor = seen
    if actor.role == "unit":
        ctx.answer(_refusal_text(ctx, "role"), alert=True)
        return
    found = await desk.card(ctx.session, case_id)
    assert found is not None
    for number, item in enumerate(found.evidence, start=1):
        if not item.telegram_file_id:
            continue
        await enqueue(
            ctx.session,
            chat_id=ctx.incoming.chat_id,
            kind="notice",
            priority=PRIORITY["alert"],  # the official is waiting for it
            method="sendPhoto" if item.kind == "photo" else "sendDocument",
            file=item.telegram_file_id,
            text=ctx.t(N_("Case #{case}, evidence {n}"), case=case.id, n=number),
        )
    ctx.answer(ctx.t(N_("The files are on their way to you.")))


async def send_opinion(ctx: Context, case_id: int) -> None:
    """The archived public copy of the 处理意见书: no complainant field in it."""
    if await scope.visible(ctx, case_id) is None:
        return
    document = await opinions.archived_opinion(ctx.session, case_id)
    if document is None:
        ctx.answer(ctx.t(N_("This case has no handling opinion on file.")), alert=True)
        return
    ctx.send_file(document.filename, document.content, ctx.t(N_("Case #{case}"), case=case_id))
    ctx.answer(ctx.t(DONE))


async def send_internal_opinion(ctx: Context, case_id: int) -> None:
    """The bureau's internal copy, naming the complainant; storage logs every request."""
    seen = await scope.visible(ctx, case_id)
    if seen is None:
        return
    try:
        filename, content = await opinions.internal_opinion(
            session=ctx.session, case_id=case_id, actor=seen[1], now=ctx.clock.now()
        )
    except store.CaseRefused as refused:
        ctx.answer(_refusal_text(ctx, refused.reason), alert=True)
        return
    ctx.send_file(
        filename, content, ctx.t(N_("Case #{case}, internal copy: confidential."), case=case_id)
    )
    ctx.answer(ctx.t(DONE))


# --- the steps ------------------------------------------------------------------------------


async def _take(ctx: Context, case_id: int, step: Any, **kw: Any) -> bool:
    """Take a step as the role the user sees the case in; a refusal is answered (storage has
    logged it)."""
    case = await ctx.session.get(Case, case_id)
    actor = (await scope.actor_for(ctx, case) if case is not None else None) or scope.actors(ctx)[0]
    try:
        await step(session=ctx.session, case_id=case_id, actor=actor, now=ctx.clock.now(), **kw)
    except store.CaseRefused as refused:
        message = _refusal_text(ctx, refused.reason)
        if ctx.incoming.button is not None:
            ctx.answer(message, alert=True)
        else:
            ctx.say(message)
        return False
    return True


async def accept(ctx: Context, case_id: int) -> None:
    if await _take(ctx, case_id, store.accept, calendar=_calendar(ctx)):
        ctx.answer(ctx.t(DONE))
        await show_card(ctx, case_id)


async def close(ctx: Context, case_id: int) -> None:
    if await _take(ctx, case_id, store.close):
        ctx.answer(ctx.t(DONE))
        await show_card(ctx, case_id)


async def _may(ctx: Context, case_id: int, action: str) -> bool:
    """Whether the user may take ``action`` now, asked before they pick or type anything;
    a refusal is answered and logged like a refused step."""
    case = await ctx.session.get(Case, case_id)
    actor = (await scope.actor_for(ctx, case) if case is not None else None) or scope.actors(ctx)[0]
    try:
        await store.check(
            session=ctx.session, case_id=case_id, action=action, actor=actor, now=ctx.clock.now()
        )
    except store.CaseRefused as refused:
        ctx.answer(_refusal_text(ctx, refused.reason), alert=True)
        return False
    return True


async def ask_investigator(ctx: Context, case_id: int) -> None:
    if not await _may(ctx, case_id, "assign"):
        return
    names = await store.investigator_names(ctx.session)
    rows = [
        [
            Button(
                names.get(person.user_id, f"#{person.user_id}"), f"cs:to:{case_id}:{person.user_id}"
            )
        ]
        for person in await investigators(ctx.session)
    ]
    rows.append([Button(ctx.t(N_("Cancel")), f"cs:x:{case_id}")])
    ctx.say(ctx.t(N_("Case #{case}: assign it to which investigator?"), case=case_id), rows)


async def assign(ctx: Context, case_id: int, investigator: int) -> None:
    if await _take(ctx, case_id, store.assign, investigator=investigator):
        ctx.answer(ctx.t(DONE))
        await show_card(ctx, case_id)


async def ask_category(ctx: Context, case_id: int) -> None:
    if not await _may(ctx, case_id, "reclassify"):
        return
    case = await ctx.session.get(Case, case_id)
    assert case is not None
    rows = [
        [
            Button(
                ctx.t(
                    N_("{category} ({severity})"),
                    category=ctx.t(category.label),
                    severity=ctx.t(SEVERITY_NAMES[category.severity]),
                ),
                f"cs:cat:{case_id}:{index}",
            )
        ]
        for index, category in enumerate(CATEGORIES)
        if category.key != case.category
    ]
    rows.append([Button(ctx.t(N_("Cancel")), f"cs:x:{case_id}")])
    ctx.say(
        ctx.t(
            N_(
                "Case #{case} is now: {category}. Reclassify it as which? Its severity and the "
                "office that handles it follow the category; the due dates stay."
            ),
            case=case_id,
            category=ctx.t(BY_KEY[case.category].label),
        ),
        rows,
    )


async def reclassify(ctx: Context, case_id: int, category: str) -> None:
    """The case in another category; whoever its new route brings in is alerted as for a new
    case, in the same transaction."""
    case = await ctx.session.get(Case, case_id)
    before = case.route if case is not None else None
    if not await _take(ctx, case_id, store.reclassify, category=category):
        return
    found = await desk.card(ctx.session, case_id)
    assert found is not None and before is not None
    await alert_case(
        ctx.session,
        case=found.case,
        complaint=found.complaint,
        general=found.complaint.cycle_id is None,
        evidence=len(found.evidence),
        reclassified_from=before,
        occasion=f"reclassified{await store.event_seq(ctx.session, found.case)}",
    )
    ctx.answer(ctx.t(DONE))
    await show_card(ctx, case_id)


async def ask_finding(ctx: Context, case_id: int) -> None:
    if not await _may(ctx, case_id, "record_finding"):
        return
    rows = [
        [Button(finding, f"cs:fd:{case_id}:{i}") for i, finding in enumerate(rules.FINDINGS)],
        [Button(ctx.t(N_("Cancel")), f"cs:x:{case_id}")],
    ]
    ctx.say(ctx.t(N_("Case #{case}: what did the investigation find?"), case=case_id), rows)


async def ask_text(ctx: Context, case_id: int, action: str, **extra: Any) -> None:
    if not await _may(ctx, case_id, action):
        return
    ctx.goto(CASE_TEXT, case_step={"case": case_id, "action": action, **extra})
    ctx.say(
        ctx.t(ASK_TEXT[action], case=case_id, finding=extra.get("finding", "")),
        [[Button(ctx.t(N_("Cancel")), f"cs:x:{case_id}")]],
    )


async def process_text(ctx: Context) -> None:
    pending = ctx.data.get("case_step")
    text = (ctx.incoming.text or "").strip()
    if not isinstance(pending, dict) or not text:
        ctx.say(ctx.t(N_("Please type the text, or press Cancel.")))
        return
    case_id, action = int(pending["case"]), str(pending["action"])
    if action == "merge":
        into = text.lstrip("#＃ ")
        if not into.isdigit():
            ctx.say(ctx.t(N_("Please type a case number, like 12.")))
            return
        kw: dict[str, Any] = {"into": int(into)}
    elif action == "record_finding":
        kw = {
            "finding": str(pending.get("finding")),
            "opinion": text[:4000],
            "calendar": _calendar(ctx),
        }
    elif action == "reply":
        if len(text) > rules.REPLY_MAX:
            ctx.say(
                ctx.t(
                    N_("That is {n} characters; a reply may have {max}. Please shorten it."),
                    n=len(text),
                    max=rules.REPLY_MAX,
                )
            )
            return
        kw = {"text": text}
    else:
        kw = {("text" if action == "note" else "reason"): text[:1000]}
    ctx.reset()
    if await _take(ctx, case_id, _STEPS_WITH_TEXT[action], **kw):
        ctx.say(ctx.t(DONE))
    await show_card(ctx, case_id, edit=False)


_STEPS_WITH_TEXT: dict[str, Any] = {
    "reject": store.reject,
    "note": store.note,
    "reply": store.reply,
    "record_finding": store.record_finding,
    "extend": store.extend,
    "merge": store.merge,
}


# --- the complainant's rating ---------------------------------------------------------------


async def process_rating(ctx: Context) -> None:
    parts = (ctx.incoming.button or "").split(":")
    if parts == ["rt", "skip"]:
        ctx.reset()
        ctx.say(ctx.t(N_("Thank you for your rating.")))
        return
    numbers = _numbers(parts[1:])
    if numbers is None or len(numbers) != 2:
        ctx.answer(ctx.t(STALE))
        return
    case_id, rating = numbers
    try:
        await store.rate(
            session=ctx.session,
            case_id=case_id,
            user_id=ctx.user_id,
            now=ctx.clock.now(),
            rating=rating,
        )
    except store.CaseRefused as refused:
        ctx.answer(_refusal_text(ctx, refused.reason), alert=True)
        return
    ctx.goto(RATING_COMMENT, rated_case=case_id)
    ctx.answer(ctx.t(N_("Thank you for your rating.")))
    ctx.say(
        ctx.t(
            N_("You rated the handling {rating}. Add a comment if you wish, or skip."),
            rating=rating,
        ),
        [[Button(ctx.t(N_("Skip")), "rt:skip")]],
    )


async def process_rating_comment(ctx: Context) -> None:
    case_id = ctx.data.get("rated_case")
    text = (ctx.incoming.text or "").strip()
    if not isinstance(case_id, int) or not text:
        ctx.say(
            ctx.t(N_("Type your comment, or press Skip.")), [[Button(ctx.t(N_("Skip")), "rt:skip")]]
        )
        return
    ctx.reset()
    try:
        await store.comment_rating(
            session=ctx.session,
            case_id=case_id,
            user_id=ctx.user_id,
            now=ctx.clock.now(),
            comment=text[:1000],
        )
    except store.CaseRefused:
        ctx.say(ctx.t(STALE))
        return
    ctx.say(ctx.t(N_("Thank you: your comment was added to the case.")))
