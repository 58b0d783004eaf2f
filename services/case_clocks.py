"""The case clocks' steps, which the sweep (notices.case_clocks) takes: warn a case's owner
one working day before its deadline, and escalate an overdue case to the bureau (督办).

A warning's outbox row has a dedup key per case, deadline and recipient; an escalation is also
a case event (``supervise``) naming the deadline, which the sweep reads so as to take it once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from messages import callbacks_cases as buttons
from messages.i18n import N_, translate
from messages.replies import Button
from messages.style import date_text
from storage.audiences import Recipient, bureau_staff, unit_contacts
from storage.cases import assignee_user
from storage.complaints import add_event, investigators
from storage.models import Case, TelegramUser
from storage.outbox import enqueue

WARN_ACCEPT = N_("⏰ Case #{case} must be accepted or rejected by {due}.")
WARN_CONCLUDE = N_("⏰ Case #{case} must be concluded by {due}.")
SUPERVISE_ACCEPT = N_(
    "🔔 督办: case #{case} was due to be accepted or rejected by {due} and is overdue."
)
SUPERVISE_CONCLUDE = N_("🔔 督办: case #{case} was due to be concluded by {due} and is overdue.")
OPEN_CASE = N_("Open the case")
WARNINGS = {"accept": WARN_ACCEPT, "conclude": WARN_CONCLUDE}
SUPERVISIONS = {"accept": SUPERVISE_ACCEPT, "conclude": SUPERVISE_CONCLUDE}


async def owners(session: AsyncSession, case: Case) -> list[Recipient]:
    """Who holds the case now: the bureau while a returned case waits for its decision, else
    its investigator, else the office of its route."""
    if case.state == "returned":
        return await bureau_staff(session)
    assigned = await assignee_user(session, case)
    if assigned is not None:
        user = await session.get(TelegramUser, assigned)
        return [Recipient(assigned, user.language if user else "zh")]
    if case.route == "investigators":
        return await investigators(session)
    if case.route == "unit" and case.unit_id is not None:
        return await unit_contacts(session, case.unit_id)
    return await bureau_staff(session)


async def warn_owners(*, session: AsyncSession, case: Case, clock: str, due: date) -> int:
    """The deadline ``clock`` of the case is a working day away: its owners are reminded.
    Returns how many were."""
    found = await owners(session, case)
    for owner in found:
        await enqueue(
            session,
            chat_id=owner.user_id,
            kind="reminder",
            text=translate(
                WARNINGS[clock], owner.language, case=case.id, due=date_text(owner.language, due)
            ),
            buttons=_open(owner.language, case),
            dedup_key=f"cs:{case.id}:warn:{clock}:{due}:{owner.user_id}",
        )
    return len(found)


async def escalate_overdue(
    *, session: AsyncSession, case: Case, clock: str, due: date, now: datetime
) -> None:
    """督办: the case missed its deadline ``clock``; the event records which, and the bureau's
    staff are alerted."""
    await add_event(session, case, "supervise", now=now, detail={"clock": clock, "due": str(due)})
    for official in await bureau_staff(session):
        await enqueue(
            session,
            chat_id=official.user_id,
            kind="alert",
            text=translate(
                SUPERVISIONS[clock],
                official.language,
                case=case.id,
                due=date_text(official.language, due),
            ),
            buttons=_open(official.language, case),
            dedup_key=f"cs:{case.id}:supervise:{clock}:{due}:{official.user_id}",
        )


def _open(language: str, case: Case) -> list[list[Button]]:
    return [[Button(translate(OPEN_CASE, language), buttons.action("open", case.id))]]
