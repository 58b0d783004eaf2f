"""The officials' case desk (the card is handlers.case_card's, the complainant's rating
handlers.case_rating's).

Steps: ``show_queue`` (per role: the bureau sees every case, investigators the serious ones
assigned to them or to nobody, a unit contact the minor ones of their unit; filters open,
overdue, mine, all) → ``show_card`` (the complaint, the history, the buttons that role may
press now) → a step: ``accept``, ``close`` at once; ``ask_investigator`` → ``assign``;
``ask_category`` → ``reclassify`` (the use case alerts the new route's officials); ``ask_finding`` →
``ask_text``; ``ask_text`` (a reason, a note, a reply to the complainant, the opinion, the
other case's number) → ``process_text``; after the opinion, its consequences
(handlers.case_finding). The card's views (the evidence files, the opinions)
are handlers.case_card's.

Button data is never trusted: every step goes through ``services.cases``, which checks the role
and the case's state on the server and writes every refusal to the audit log.
"""

from __future__ import annotations

from typing import Any

from domain import cases as rules
from domain import objections
from domain.complaints import BY_KEY, CATEGORIES, SEVERITY_NAMES
from domain.workdays import WorkCalendar
from handlers import case_confirm, case_dispatch, case_finding, objection_desk
from handlers import case_scope as scope
from handlers.case_card import (
    DONE,
    back_to_card,
    may_take,
    open_card,
    refusal_text,
    send_evidence,
    send_internal_opinion,
    send_opinion,
    show_card,
    take_step,
)
from handlers.case_rating import RATING_COMMENT, process_rating, process_rating_comment
from handlers.case_scope import DESK_ROLES
from handlers.context import Context
from handlers.core import Router
from messages import callbacks_cases as buttons
from messages.callbacks_cases import (
    FILTERS,
    CaseAction,
    CaseChoice,
    CaseExport,
    CaseQueue,
    Rating,
)
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON, back_to_menu
from services import cases as steps
from services import dispatch
from services.case_export import cases_file_name, export_cases
from storage import case_desk as desk
from storage.cases import investigator_names
from storage.complaints import investigators, made_serious_by_count
from storage.models import Case
from storage.objections import objection_cases
from storage.publication import current_cycle

CASE_TEXT = "case_text"
OBJECTION = objections.NAME
EXPORT_ROLES = ("bureau", "admin")

FILTER_NAMES = {
    "o": N_("Open"),
    "d": N_("Overdue"),
    "m": N_("Mine"),
    "a": N_("All"),
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
    "return": N_(
        "Case #{case}: why is it outside your remit? Type the reason; the employment bureau "
        "decides where it goes (审定)."
    ),
}


def router() -> Router:
    r = Router()
    r.command("cases", roles=DESK_ROLES)(show_desk)
    r.button(CaseAction.prefix, roles=DESK_ROLES)(process_case_button)
    r.state(CASE_TEXT, roles=DESK_ROLES)(process_text)
    r.button(Rating.prefix)(process_rating)
    r.state(RATING_COMMENT)(process_rating_comment)
    r.menu_rows(case_menu_rows, place=10)
    r.include(case_finding.router())
    r.include(objection_desk.router())
    r.include(case_confirm.router())
    return r


def case_menu_rows(ctx: Context) -> list[list[Button]]:
    if not ctx.roles.has(*DESK_ROLES):
        return []
    rows = [[Button(ctx.t(N_("Cases")), buttons.queue("o"))]]
    if ctx.roles.has(*EXPORT_ROLES):
        rows.append([Button(ctx.t(N_("Export the cases (Excel)")), buttons.EXPORT)])
    return rows


def _calendar(ctx: Context) -> WorkCalendar:
    return ctx.deps.calendar


# --- the queue ------------------------------------------------------------------------------


async def show_desk(ctx: Context) -> None:
    await show_queue(ctx, key="o", page=0, edit=False)


async def show_queue(ctx: Context, *, key: buttons.QueueKey, page: int, edit: bool = True) -> None:
    t = ctx.t
    actor = scope.actors(ctx)[0]
    cases, total = await desk.queue(
        ctx.session, actor=actor, filter_name=FILTERS[key], today=ctx.clock.today(), page=page
    )
    # Only investigators are ever assigned a case: 「我的」 is theirs alone.
    shown = [k for k in FILTERS if FILTERS[k] != "mine" or actor.role == "investigator"]
    rows = [
        [
            Button(f"• {t(FILTER_NAMES[k])}" if k == key else t(FILTER_NAMES[k]), buttons.queue(k))
            for k in shown
        ]
    ]
    objections = await objection_cases(ctx.session, [case.id or 0 for case in cases])
    rows += [
        [Button(_queue_label(ctx, case, case.id in objections), buttons.action("card", case.id))]
        for case in cases
    ]
    paging = []
    if page > 0:
        paging.append(Button(t(N_("« Previous")), buttons.queue(key, page - 1)))
    if (page + 1) * desk.PAGE_SIZE < total:
        paging.append(Button(t(N_("Next »")), buttons.queue(key, page + 1)))
    if paging:
        rows.append(paging)
    rows.append([back_to_menu(t)])
    name = t(FILTER_NAMES[key])
    header = (
        t(N_("Cases ({filter}): {n}"), filter=name, n=total)
        if total
        else t(N_("No cases here ({filter})."), filter=name)
    )
    ctx.say(header, rows, edit=edit)


def _queue_label(ctx: Context, case: Case, objection: bool = False) -> str:
    # A returned case still runs its acceptance clock (domain.dispatch).
    due = case.accept_due if case.state in ("submitted", "returned") else case.conclude_due
    overdue = rules.is_overdue(
        state=case.state,
        accept_due=case.accept_due,
        conclude_due=case.conclude_due,
        today=ctx.clock.today(),
    )
    mark = "⚠️ " if overdue else ""
    return (
        f"{mark}#{case.id} {ctx.t(OBJECTION if objection else BY_KEY[case.category].label)} · "
        f"{ctx.t(rules.STATE_NAMES.get(case.state, case.state))}"
        + (f" · {due:%m-%d}" if due and case.state in rules.OPEN_STATES else "")
    )


async def send_export(ctx: Context) -> None:
    """The newest cycle's cases as a spreadsheet, for the bureau and the administrator (no
    complainant in it)."""
    if not ctx.roles.has(*EXPORT_ROLES):
        ctx.answer(refusal_text(ctx, "role"), alert=True)
        return
    cycle = await current_cycle(ctx.session)
    content = await export_cases(
        session=ctx.session,
        cycle=cycle,
        file_format="xlsx",
        now=ctx.clock.now(),
        language=ctx.language,
    )
    name = cases_file_name(ctx.t, year=cycle.year if cycle else None, file_format="xlsx")
    ctx.send_file(name, content, ctx.t(N_("The hotline cases, as a spreadsheet.")))
    ctx.answer(ctx.t(DONE))


# --- buttons --------------------------------------------------------------------------------


# The views a case's button opens, and the steps taken at once, by the code in its data; the
# steps that ask for a text first are ``callbacks_cases.STEP_OF_CODE``'s others.
VIEWS: dict[str, Any] = {
    "card": show_card,
    "open": open_card,
    "ev": send_evidence,
    "x": back_to_card,
    "doc": send_opinion,
    "idoc": send_internal_opinion,
}


async def process_case_button(ctx: Context) -> None:
    data = ctx.incoming.button
    queue_page = CaseQueue.parse(data)
    if queue_page is not None and queue_page.page >= 0:
        await show_queue(ctx, key=queue_page.key, page=queue_page.page)
        return
    if CaseExport.parse(data) is not None:
        await send_export(ctx)
        return
    pressed = CaseAction.parse(data)
    if pressed is not None and pressed.case_id >= 0:
        await _case_action(ctx, pressed.action, pressed.case_id)
        return
    choice = CaseChoice.parse(data)
    if choice is not None and min(choice.case_id, choice.choice) >= 0:
        await _case_choice(ctx, choice)
        return
    ctx.answer(ctx.t(STALE_BUTTON))


async def _case_action(ctx: Context, code: str, case_id: int) -> None:
    if code in VIEWS:
        await VIEWS[code](ctx, case_id)
        return
    step = buttons.STEP_OF_CODE[code]
    # A note is read only on the card: who may not open the card is refused as for a forged
    # card button, before they type anything.
    if step in CARD_ONLY_STEPS and await scope.visible(ctx, case_id) is None:
        return
    if step in STEP_BUTTONS:
        await STEP_BUTTONS[step](ctx, case_id)
    else:
        await ask_text(ctx, case_id, step)


async def _case_choice(ctx: Context, choice: CaseChoice) -> None:
    case_id, picked = choice.case_id, choice.choice
    if choice.action == "to":
        await assign(ctx, case_id, picked)
    elif choice.action == "cat" and picked < len(CATEGORIES):
        await reclassify(ctx, case_id, CATEGORIES[picked].key)
    elif choice.action == "rd" and picked < len(CATEGORIES):
        await case_dispatch.redispatch(ctx, case_id, picked)
    elif choice.action == "fd" and picked < len(rules.FINDINGS):
        await ask_text(ctx, case_id, "record_finding", finding=rules.FINDINGS[picked])
    else:
        ctx.answer(ctx.t(STALE_BUTTON))


# --- the steps ------------------------------------------------------------------------------


# Shared with handlers.case_confirm, which takes the checked and confirmed steps.
_take = take_step
_may = may_take


async def accept(ctx: Context, case_id: int) -> None:
    if await _take(ctx, case_id, steps.accept, calendar=_calendar(ctx)):
        ctx.answer(ctx.t(DONE))
        await show_card(ctx, case_id)


async def ask_investigator(ctx: Context, case_id: int) -> None:
    if not await _may(ctx, case_id, "assign"):
        return
    names = await investigator_names(ctx.session)
    rows = [
        [
            Button(
                names.get(person.user_id, f"#{person.user_id}"),
                CaseChoice(action="to", case_id=case_id, choice=person.user_id).pack(),
            )
        ]
        for person in await investigators(ctx.session)
    ]
    rows.append([Button(ctx.t(N_("Cancel")), buttons.action("x", case_id))])
    ctx.say(ctx.t(N_("Case #{case}: assign it to which investigator?"), case=case_id), rows)


async def assign(ctx: Context, case_id: int, investigator: int) -> None:
    if await _take(ctx, case_id, steps.assign, investigator=investigator):
        ctx.answer(ctx.t(DONE))
        await show_card(ctx, case_id)


async def ask_category(ctx: Context, case_id: int) -> None:
    if not await _may(ctx, case_id, "reclassify"):
        return
    case = await ctx.session.get(Case, case_id)
    assert case is not None
    escalated = await made_serious_by_count(ctx.session, case_id)
    offered = rules.reclassify_choices(case.category, escalated=escalated)
    rows = [
        [
            Button(
                ctx.t(
                    N_("{category} ({severity})"),
                    category=ctx.t(category.label),
                    severity=ctx.t(SEVERITY_NAMES[category.severity]),
                ),
                CaseChoice(action="cat", case_id=case_id, choice=index).pack(),
            )
        ]
        for index, category in enumerate(CATEGORIES)
        if category in offered
    ]
    rows.append([Button(ctx.t(N_("Cancel")), buttons.action("x", case_id))])
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
    """The case in another category; the use case alerts whoever its new route brings in."""
    if not await _take(ctx, case_id, steps.reclassify, category=category):
        return
    ctx.answer(ctx.t(DONE))
    await show_card(ctx, case_id)


async def ask_finding(ctx: Context, case_id: int) -> None:
    if not await _may(ctx, case_id, "record_finding"):
        return
    rows = [
        [
            Button(finding, CaseChoice(action="fd", case_id=case_id, choice=i).pack())
            for i, finding in enumerate(rules.FINDINGS)
        ],
        [Button(ctx.t(N_("Cancel")), buttons.action("x", case_id))],
    ]
    ctx.say(ctx.t(N_("Case #{case}: what did the investigation find?"), case=case_id), rows)


async def ask_text(ctx: Context, case_id: int, action: str, **extra: Any) -> None:
    if not await _may(ctx, case_id, action):
        return
    ctx.goto(CASE_TEXT, case_step={"case": case_id, "action": action, **extra})
    ctx.say(
        ctx.t(ASK_TEXT[action], case=case_id, finding=extra.get("finding", "")),
        [[Button(ctx.t(N_("Cancel")), buttons.action("x", case_id))]],
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
        # Checked for personal information (handlers.case_confirm), then its consequences
        # (handlers.case_finding).
        finding = str(pending.get("finding"))
        await case_confirm.review_text(ctx, case_id, action, text[:4000], finding=finding)
        return
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
        await case_confirm.review_text(ctx, case_id, action, text)
        return
    elif action == "reject":
        await case_confirm.review_text(ctx, case_id, action, text[:1000])
        return
    else:
        kw = {("text" if action == "note" else "reason"): text[:1000]}
    ctx.reset()
    if await _take(ctx, case_id, _STEPS_WITH_TEXT[action], **kw):
        ctx.say(ctx.t(DONE))
    await show_card(ctx, case_id, edit=False)


_STEPS_WITH_TEXT: dict[str, Any] = {
    "note": steps.note,
    "extend": steps.extend,
    "merge": steps.merge,
    "return": dispatch.return_case,
}

# The steps that only the card's readers may take: the card is where they are read.
CARD_ONLY_STEPS = frozenset({"note"})

# The steps whose button acts at once or asks a pick, rather than a typed text (ASK_TEXT).
STEP_BUTTONS: dict[str, Any] = {
    "accept": accept,
    "close": case_confirm.ask_close,
    "assign": ask_investigator,
    "record_finding": ask_finding,
    "reclassify": ask_category,
    "keep": case_dispatch.keep,
    "redispatch": case_dispatch.ask_office,
}
