"""The complainants of the cases merged into a case (并单), directly or through a case merged
into it in turn (storage.merged), are told what its own complainant is told: the desk's
replies, and its closing with the request to rate it and the way to ask for 复查. Each rates
and appeals through the case they filed (now merged), so every complainant's rating counts
once (domain.figures) and their appeals are their own (services.appeals)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from messages.callbacks_appeals import AppealAction
from messages.callbacks_cases import Rating
from messages.i18n import translate
from services.case_steps import ASK_RATING, ASK_REVIEW, TOLD_CLOSED, TOLD_REPLY
from storage.cases import event_seq
from storage.merged import merged_cases
from storage.models import Case
from storage.outbox import enqueue


async def tell_merged_of_reply(session: AsyncSession, case: Case, *, role: str, text: str) -> int:
    """The reply, to each merged complainant with their own ticket code; returns how many."""
    seq = await event_seq(session, case)
    told = 0
    for _merged, complaint in await merged_cases(session, case):
        if complaint.submitted_by is None:
            continue
        await enqueue(
            session,
            chat_id=complaint.submitted_by,
            kind="notice",
            text=translate(
                TOLD_REPLY[role], complaint.language, code=complaint.ticket_code, text=text
            ),
            dedup_key=f"cs:{case.id}:reply:{complaint.ticket_code}:{seq}",
        )
        told += 1
    return told


async def tell_merged_of_close(
    session: AsyncSession, case: Case, *, finding: str, opinion: str
) -> int:
    """The closing and its outcome, with the rating buttons of each one's own case (once) and
    the button to ask for 复查 of this written reply through it."""
    seq = await event_seq(session, case)
    told = 0
    for merged, complaint in await merged_cases(session, case):
        if complaint.submitted_by is None:
            continue
        language = complaint.language
        text = translate(
            TOLD_CLOSED, language, code=complaint.ticket_code, finding=finding, opinion=opinion
        )
        buttons = []
        if merged.rating is None:
            text = f"{text}\n\n{translate(ASK_RATING, language)}"
            buttons.append(
                [(str(n), Rating(case_id=merged.id or 0, rating=n).pack()) for n in range(1, 6)]
            )
        appeal = AppealAction(action="req", target=merged.id or 0).pack()
        buttons.append([(translate(ASK_REVIEW, language), appeal)])
        await enqueue(
            session,
            chat_id=complaint.submitted_by,
            kind="notice",
            text=text,
            buttons=buttons,
            dedup_key=f"cs:{case.id}:closed:{complaint.ticket_code}:{seq}",
        )
        told += 1
    return told
