"""The complainant's rating of a closed case: ``process_rating`` (1-5, from the buttons of
the notice that the case was closed) → optional ``process_rating_comment``."""

from __future__ import annotations

from handlers.case_card import refusal_text
from handlers.context import Context
from messages.callbacks_cases import SKIP_RATING, Rating, RatingSkip
from messages.i18n import N_
from messages.replies import Button
from messages.wording import STALE_BUTTON
from services import cases as steps

RATING_COMMENT = "case_rating_comment"


async def process_rating(ctx: Context) -> None:
    data = ctx.incoming.button
    if RatingSkip.parse(data) is not None:
        ctx.reset()
        ctx.say(ctx.t(N_("Thank you for your rating.")))
        return
    pressed = Rating.parse(data)
    if pressed is None or min(pressed.case_id, pressed.rating) < 0:
        ctx.answer(ctx.t(STALE_BUTTON))
        return
    case_id, rating = pressed.case_id, pressed.rating
    try:
        await steps.rate(
            session=ctx.session,
            case_id=case_id,
            user_id=ctx.user_id,
            now=ctx.clock.now(),
            rating=rating,
        )
    except steps.CaseRefused as refused:
        ctx.answer(refusal_text(ctx, refused.reason), alert=True)
        return
    ctx.goto(RATING_COMMENT, rated_case=case_id)
    ctx.answer(ctx.t(N_("Thank you for your rating.")))
    ctx.say(
        ctx.t(
            N_("You rated the handling {rating}. Add a comment if you wish, or skip."),
            rating=rating,
        ),
        [[Button(ctx.t(N_("Skip")), SKIP_RATING)]],
    )


async def process_rating_comment(ctx: Context) -> None:
    case_id = ctx.data.get("rated_case")
    text = (ctx.incoming.text or "").strip()
    if not isinstance(case_id, int) or not text:
        ctx.say(
            ctx.t(N_("Type your comment, or press Skip.")),
            [[Button(ctx.t(N_("Skip")), SKIP_RATING)]],
        )
        return
    ctx.reset()
    try:
        await steps.comment_rating(
            session=ctx.session,
            case_id=case_id,
            user_id=ctx.user_id,
            now=ctx.clock.now(),
            comment=text[:1000],
        )
    except steps.CaseRefused:
        ctx.say(ctx.t(STALE_BUTTON))
        return
    ctx.say(ctx.t(N_("Thank you: your comment was added to the case.")))
