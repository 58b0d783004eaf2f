"""The appeals' clocks, taken by the case clocks' sweep (notices.case_clocks): the reviewing
office is warned one working day before the answer is due, and an overdue answer is escalated
to the bureau (督办) once, as the case clocks do for a case's deadlines.

A warning's outbox row has a dedup key per appeal, due day and recipient; an escalation marks
the appeal (``escalated_at``) and is a case event (``supervise`` naming the level).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain import appeals as rules
from domain import cases as case_rules
from domain.workdays import UnknownYearError, WorkCalendar
from messages.i18n import N_, translate
from messages.style import date_text
from services.appeals import ANSWER_BUTTON, answer_button, reviewers
from storage.appeals import pending_appeals
from storage.audiences import bureau_staff
from storage.complaints import add_event
from storage.models import Case
from storage.outbox import enqueue

WARN = N_("⏰ The {level} of case #{case} must be answered by {due}.")
SUPERVISE = N_(
    "🔔 督办: the {level} of case #{case} was due to be answered by {due} and is overdue."
)


@dataclass
class AppealClocks:
    warned: int = 0
    escalated: int = 0


async def watch_appeals(
    *, session: AsyncSession, now: datetime, calendar: WorkCalendar
) -> AppealClocks:
    report = AppealClocks()
    today = now.date()
    for appeal in await pending_appeals(session):
        try:
            alarm = case_rules.alarm(
                due=appeal.answer_due, today=today, workdays_between=calendar.workdays_between
            )
        except UnknownYearError:
            alarm = "overdue" if today > appeal.answer_due else None
        if alarm is None or (alarm == "overdue" and appeal.escalated_at is not None):
            continue
        overdue = alarm == "overdue"
        recipients = await (
            bureau_staff(session) if overdue else reviewers(session, appeal.reviewer_role)
        )
        for person in recipients:
            await enqueue(
                session,
                chat_id=person.user_id,
                kind="alert" if overdue else "reminder",
                text=translate(
                    SUPERVISE if overdue else WARN,
                    person.language,
                    level=translate(rules.LEVEL_NAMES[appeal.level], person.language),
                    case=appeal.case_id,
                    due=date_text(person.language, appeal.answer_due),
                ),
                buttons=None
                if overdue
                else [[(translate(ANSWER_BUTTON, person.language), answer_button(appeal))]],
                dedup_key=f"ap:{appeal.id}:{alarm}:{appeal.answer_due}:{person.user_id}",
            )
        if overdue:
            appeal.escalated_at = now
            case = await session.get(Case, appeal.case_id)
            assert case is not None
            detail = {"clock": appeal.level, "due": str(appeal.answer_due)}
            await add_event(session, case, "supervise", now=now, detail=detail)
            report.escalated += 1
        else:
            report.warned += len(recipients)
    return report
