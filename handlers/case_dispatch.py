"""The desk's 审定 of a returned case (退单), and taking a step as the role the user sees the
case in (``take``, shared by the desk's steps in handlers.cases).

Steps: the office presses 「退单」 and types the reason (handlers.cases.ask_text → the use case
services.dispatch.return_case); the bureau presses 「留在原单位」 (``keep``) or 「改派」
(``ask_office`` → ``redispatch``, a category whose office is another).
"""

from __future__ import annotations

from domain.complaints import BY_KEY, CATEGORIES, OFFICES
from handlers import case_scope as scope
from handlers.case_card import DONE, show_card
from handlers.case_card import take_step as take
from handlers.context import Context
from messages import callbacks_cases as buttons
from messages.callbacks_cases import CaseChoice
from messages.i18n import N_
from messages.replies import Button
from services import dispatch
from storage.complaints import made_serious_by_count


async def keep(ctx: Context, case_id: int) -> None:
    if await take(ctx, case_id, dispatch.keep_case, calendar=ctx.deps.calendar):
        ctx.answer(ctx.t(DONE))
        await show_card(ctx, case_id)


async def ask_office(ctx: Context, case_id: int) -> None:
    """The categories whose office is another than the one that returned the case."""
    seen = await scope.visible(ctx, case_id)
    if seen is None:
        return
    case = seen[0]
    escalated = await made_serious_by_count(ctx.session, case_id)
    offered = dispatch.redispatch_categories(case, escalated=escalated)
    rows = [
        [
            Button(
                ctx.t(
                    N_("{category} → {office}"),
                    category=ctx.t(category.label),
                    office=ctx.t(OFFICES[category.route]),
                ),
                CaseChoice(action="rd", case_id=case_id, choice=index).pack(),
            )
        ]
        for index, category in enumerate(CATEGORIES)
        if category.key in offered
    ]
    rows.append([Button(ctx.t(N_("Cancel")), buttons.action("x", case_id))])
    ctx.say(
        ctx.t(
            N_(
                "Case #{case} ({category}) was returned. Route it on as which? The office "
                "follows the category, and its acceptance clock starts now."
            ),
            case=case_id,
            category=ctx.t(BY_KEY[case.category].label),
        ),
        rows,
    )


async def redispatch(ctx: Context, case_id: int, picked: int) -> None:
    category = CATEGORIES[picked].key
    if await take(ctx, case_id, dispatch.redispatch, calendar=ctx.deps.calendar, category=category):
        ctx.answer(ctx.t(DONE))
        await show_card(ctx, case_id)
