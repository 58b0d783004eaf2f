"""Appeals in chat (domain.appeals, services.appeals).

The complainant: 「不服处理意见：申请复查」 on the closing notice or on /status (a merged case's
complainant too, on the notice of the closing of the case theirs joined) →
``ask_reasons`` (the level, the office, the clock) → the reasons typed → ``process_reasons``.
After the 复查 answer, the same for 复核. The reviewing office: 「答复复议」 on the alert →
``ask_outcome`` (维持 / 变更) → ``ask_answer`` → the answer typed → ``process_answer``; the
document goes to the complainant and the bureau's desk from the outbox.

The buttons carry a case or an appeal number only: who may ask (the complainant of that case,
by the chat they filed from) and who may answer (the office the table names) is checked on
the server by the use cases, and every refusal is audited.
"""

from __future__ import annotations

from domain import appeals as rules
from handlers.case_scope import actors
from handlers.context import Context
from handlers.core import Router
from messages.callbacks_appeals import AppealAction, AppealOutcome
from messages.i18n import N_
from messages.replies import Button
from messages.style import date_text
from messages.wording import STALE_BUTTON, back_to_menu
from services import appeals as use_cases
from services.case_steps import CaseRefused
from storage.cases import Actor
from storage.models import Case, CaseAppeal

APPEAL_REASONS = "appeal_reasons"
APPEAL_ANSWER = "appeal_answer"
ROLES = ("bureau", "investigator")

ASK_REASONS = N_(
    "Case #{case}: you ask for {level}. Type your reasons: what in the handling opinion you "
    "do not accept, and why (up to {max} characters). {office} answers within 30 days."
)
REQUESTED = N_("Your request for {level} was sent. {office} answers it by {due}.")
ASK_OUTCOME = N_("Case #{case}, {level}. The complainant's reasons:\n{reasons}\n\nYour answer:")
ASK_ANSWER = N_(
    "Case #{case}, {level}: {outcome}. Type the answer (up to {max} characters); the "
    "complainant receives it as a document."
)
ANSWERED = N_("The answer was recorded and is on its way to the complainant.")
TOO_LONG = N_("That is {n} characters; the most is {max}. Please shorten it.")
REFUSED = {
    "scope": N_("Only the complainant of this case may ask for that."),
    "state": N_("That is not possible now: the case is not closed, or it was already answered."),
    "late": N_("The 30 days to ask for it have passed."),
    "pending": N_("Your earlier request is still being answered."),
    "final": N_(
        "The re-examination (复核) was answered: the same facts and reasons are not taken again."
    ),
    "role": N_("Your office does not answer this appeal."),
    "input": N_("That cannot be used here. Please check it and try again."),
    "missing": N_("That case does not exist."),
}
ASK_BUTTON = N_("Not satisfied: ask for {level} (until {date})")
CANCEL = N_("Cancel")


def router() -> Router:
    r = Router()
    r.button(AppealAction.prefix)(process_appeal_button)
    r.state(APPEAL_REASONS)(process_reasons)
    r.state(APPEAL_ANSWER, roles=ROLES)(process_answer)
    return r


def refusal_text(ctx: Context, reason: str) -> str:
    return ctx.t(REFUSED.get(reason, REFUSED["input"]))


async def appeal_rows(ctx: Context, case: Case) -> list[list[Button]]:
    """The button to ask for the next appeal, when the user is the one who may ask now."""
    now = ctx.clock.now()
    found = await use_cases.standing(
        session=ctx.session,
        case=case,
        user_id=ctx.user_id,
        today=now.date(),
        calendar=ctx.deps.calendar,
        zone=now.tzinfo,
    )
    if found.refusal is not None or found.level is None or found.deadline is None:
        return []
    label = ctx.t(
        ASK_BUTTON,
        level=ctx.t(rules.LEVEL_NAMES[found.level]),
        date=date_text(ctx.t, found.deadline, weekday=False),
    )
    return [[Button(label, use_cases.ask_button(case.id or 0))]]


async def process_appeal_button(ctx: Context) -> None:
    data = ctx.incoming.button
    pressed = AppealAction.parse(data)
    if pressed is not None and pressed.target >= 0:
        if pressed.action == "req":
            await ask_reasons(ctx, pressed.target)
        else:
            await ask_outcome(ctx, pressed.target)
        return
    picked = AppealOutcome.parse(data)
    if picked is not None and 0 <= picked.choice < len(rules.OUTCOMES) and picked.appeal >= 0:
        await ask_answer(ctx, picked.appeal, rules.OUTCOMES[picked.choice])
        return
    ctx.answer(ctx.t(STALE_BUTTON))


async def ask_reasons(ctx: Context, case_id: int) -> None:
    case = await ctx.session.get(Case, case_id)
    found = (
        await use_cases.standing(
            session=ctx.session,
            case=case,
            user_id=ctx.user_id,
            today=ctx.clock.today(),
            calendar=ctx.deps.calendar,
            zone=ctx.clock.now().tzinfo,
        )
        if case is not None
        else None
    )
    if (
        case is None
        or found is None
        or found.refusal is not None
        or found.level is None
        or found.reviewer is None
    ):
        reason = (found.refusal or "state") if found is not None else "missing"
        ctx.answer(refusal_text(ctx, reason), alert=True)
        return
    ctx.goto(APPEAL_REASONS, appeal_case=case_id)
    ctx.say(
        ctx.t(
            ASK_REASONS,
            case=case_id,
            level=ctx.t(rules.LEVEL_NAMES[found.level]),
            max=rules.REASONS_MAX,
            office=ctx.t(use_cases.office_name(found.reviewer)),
        ),
        [[back_to_menu(ctx.t)]],
    )


async def process_reasons(ctx: Context) -> None:
    text = (ctx.incoming.text or "").strip()
    case_id = ctx.data.get("appeal_case")
    if not isinstance(case_id, int) or not text:
        ctx.say(
            ctx.t(N_("Please type your reasons, or go back to the menu.")), [[back_to_menu(ctx.t)]]
        )
        return
    if len(text) > rules.REASONS_MAX:
        ctx.say(ctx.t(TOO_LONG, n=len(text), max=rules.REASONS_MAX))
        return
    try:
        appeal = await use_cases.request_appeal(
            session=ctx.session,
            case_id=case_id,
            user_id=ctx.user_id,
            now=ctx.clock.now(),
            reasons=text,
            calendar=ctx.deps.calendar,
        )
    except CaseRefused as refused:
        ctx.reset()
        ctx.say(refusal_text(ctx, refused.reason), [[back_to_menu(ctx.t)]])
        return
    ctx.reset()
    ctx.say(
        ctx.t(
            REQUESTED,
            level=ctx.t(rules.LEVEL_NAMES[appeal.level]),
            office=ctx.t(use_cases.office_name(appeal.reviewer_role)),
            due=date_text(ctx.t, appeal.answer_due),
        ),
        [[back_to_menu(ctx.t)]],
    )


def _reviewer_actor(ctx: Context, appeal: CaseAppeal) -> Actor | None:
    """The user in the role that answers the appeal, else in any of theirs (to be refused and
    audited by the use case); None for a user with no official role."""
    mine = actors(ctx, ROLES)
    found = [a for a in mine if a.role == appeal.reviewer_role]
    chosen = found or mine
    return chosen[0] if chosen else None


async def _checked(ctx: Context, appeal_id: int) -> CaseAppeal | None:
    appeal = await ctx.session.get(CaseAppeal, appeal_id)
    actor = _reviewer_actor(ctx, appeal) if appeal is not None else None
    if actor is None:
        ctx.answer(refusal_text(ctx, "role" if appeal is not None else "missing"), alert=True)
        return None
    try:
        return await use_cases.check_answer(
            session=ctx.session, appeal_id=appeal_id, actor=actor, now=ctx.clock.now()
        )
    except CaseRefused as refused:
        ctx.answer(refusal_text(ctx, refused.reason), alert=True)
        return None


async def ask_outcome(ctx: Context, appeal_id: int) -> None:
    appeal = await _checked(ctx, appeal_id)
    if appeal is None:
        return
    rows = [
        [
            Button(
                ctx.t(rules.OUTCOME_NAMES[outcome]),
                AppealOutcome(action="out", appeal=appeal_id, choice=i).pack(),
            )
            for i, outcome in enumerate(rules.OUTCOMES)
        ],
        [back_to_menu(ctx.t)],
    ]
    ctx.say(
        ctx.t(
            ASK_OUTCOME,
            case=appeal.case_id,
            level=ctx.t(rules.LEVEL_NAMES[appeal.level]),
            reasons=appeal.reasons,
        ),
        rows,
    )


async def ask_answer(ctx: Context, appeal_id: int, outcome: str) -> None:
    appeal = await _checked(ctx, appeal_id)
    if appeal is None:
        return
    ctx.goto(APPEAL_ANSWER, appeal=appeal_id, outcome=outcome)
    ctx.say(
        ctx.t(
            ASK_ANSWER,
            case=appeal.case_id,
            level=ctx.t(rules.LEVEL_NAMES[appeal.level]),
            outcome=ctx.t(rules.OUTCOME_NAMES[outcome]),
            max=rules.ANSWER_MAX,
        ),
        [[back_to_menu(ctx.t)]],
    )


async def process_answer(ctx: Context) -> None:
    text = (ctx.incoming.text or "").strip()
    appeal_id, outcome = ctx.data.get("appeal"), ctx.data.get("outcome")
    if not isinstance(appeal_id, int) or not isinstance(outcome, str) or not text:
        ctx.say(
            ctx.t(N_("Please type the answer, or go back to the menu.")), [[back_to_menu(ctx.t)]]
        )
        return
    if len(text) > rules.ANSWER_MAX:
        ctx.say(ctx.t(TOO_LONG, n=len(text), max=rules.ANSWER_MAX))
        return
    appeal = await ctx.session.get(CaseAppeal, appeal_id)
    actor = _reviewer_actor(ctx, appeal) if appeal is not None else None
    ctx.reset()
    if actor is None:
        ctx.say(refusal_text(ctx, "role"), [[back_to_menu(ctx.t)]])
        return
    try:
        await use_cases.answer_appeal(
            session=ctx.session,
            appeal_id=appeal_id,
            actor=actor,
            now=ctx.clock.now(),
            outcome=outcome,
            answer=text,
            calendar=ctx.deps.calendar,
            font_file=ctx.deps.pdf_font,
        )
    except CaseRefused as refused:
        ctx.say(refusal_text(ctx, refused.reason), [[back_to_menu(ctx.t)]])
        return
    ctx.say(ctx.t(ANSWERED), [[back_to_menu(ctx.t)]])
