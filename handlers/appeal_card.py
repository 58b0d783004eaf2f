"""The case card's row for a pending appeal (复查 / 复核): its answer button, shown to the office
that answers it (handlers.appeals takes it from there)."""

from __future__ import annotations

from domain.appeals import LEVEL_NAMES
from handlers.context import Context
from messages.i18n import N_
from messages.replies import Button
from messages.style import date_text
from services.appeals import answer_button
from storage.appeals import appeals_of
from storage.cases import Actor

ANSWER_ON_CARD = N_("Answer the {level} (due {date})")


async def appeal_answer_rows(ctx: Context, case_id: int, actor: Actor) -> list[list[Button]]:
    rows = []
    for appeal in await appeals_of(ctx.session, case_id):
        if appeal.answered_at is None and appeal.reviewer_role == actor.role:
            label = ctx.t(
                ANSWER_ON_CARD,
                level=ctx.t(LEVEL_NAMES[appeal.level]),
                date=date_text(ctx.t, appeal.answer_due, weekday=False),
            )
            rows.append([Button(label, answer_button(appeal))])
    return rows
