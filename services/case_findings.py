"""A confirmed serious finding flows back: to the worker's result (renewal blocked; subsidies
stopped and the unit's quota cut for 人岗不符 and 不在岗) and to a task for the unit, which is
told of it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from domain import cases as rules
from domain.workdays import UnknownYearError, WorkCalendar
from messages.i18n import N_, translate
from messages.style import date_text
from storage.audiences import unit_contacts
from storage.cases import worker_result
from storage.models import Case, Unit, UnitTask
from storage.outbox import enqueue

FINDING_TASK_WORKDAYS = 5  # the unit's time to act on a confirmed finding (ours)

TOLD_UNIT_TASK = N_(
    "A finding on a complaint about your unit was confirmed (case #{case}). Act on it and "
    "report back by {due}: {opinion}"
)
FINDING_TASK_TITLE = N_("Act on the finding of case #{case}")


async def carry_back(
    session: AsyncSession, case: Case, *, now: datetime, calendar: WorkCalendar
) -> None:
    """The worker's result is marked, and the unit gets a task."""
    worker_finding = rules.FINDING_OF_CATEGORY.get(case.category)
    result = await worker_result(session, case)
    if result is not None:
        result.renewal_blocked = True
        if worker_finding is not None and worker_finding not in (result.findings or []):
            result.findings = [*(result.findings or []), worker_finding]
            result.subsidy_stopped = True
            unit = await session.get(Unit, case.unit_id) if case.unit_id else None
            if unit is not None:
                unit.quota_cut += 1
        result.updated_at = now
    if case.unit_id is not None and case.cycle_id is not None:
        await _unit_task(session, case, now=now, calendar=calendar)


async def _unit_task(
    session: AsyncSession, case: Case, *, now: datetime, calendar: WorkCalendar
) -> None:
    assert case.unit_id is not None and case.cycle_id is not None
    try:
        due = calendar.add_workdays(now.date(), FINDING_TASK_WORKDAYS)
    except UnknownYearError:
        due = now.date() + timedelta(days=7)
    session.add(
        UnitTask(
            cycle_id=case.cycle_id,
            unit_id=case.unit_id,
            kind=f"case_{case.id}",
            starts_on=now.date(),
            due_on=due,
            needs_file=True,
            title=translate(FINDING_TASK_TITLE, "zh", case=case.id),
            note=case.opinion[:1000],
            case_id=case.id,
        )
    )
    for recipient in await unit_contacts(session, case.unit_id):
        await enqueue(
            session,
            chat_id=recipient.user_id,
            kind="alert",
            text=translate(
                TOLD_UNIT_TASK,
                recipient.language,
                case=case.id,
                due=date_text(recipient.language, due),
                opinion=case.opinion,
            ),
            dedup_key=f"cs:{case.id}:unit_task:{recipient.user_id}",
        )
