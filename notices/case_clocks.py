"""The case clocks' sweep: warn a case's owner one working day before its deadline, and
escalate an overdue case to the bureau (督办), once per case and deadline; the steps
themselves are services.case_clocks'.

A sweep works from the database alone. A warning's outbox row has a dedup key per case,
deadline and recipient; an escalation is also a case event (``supervise``) naming the
deadline. However often the sweep runs, and after any restart, each goes out once; a deadline
moved by an extension is a new deadline and is watched afresh.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from domain import cases as rules
from domain.clock import Clock
from domain.workdays import UnknownYearError, WorkCalendar
from notices.reminders import local_now
from services.appeal_clocks import watch_appeals
from services.case_clocks import escalate_overdue, warn_owners
from storage.db import transaction
from storage.models import Case, CaseEvent

log = logging.getLogger(__name__)


@dataclass
class ClockReport:
    warned: int = 0
    escalated: int = 0
    unknown_years: set[int] = field(default_factory=set)


async def sweep_case_clocks(
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    calendar: WorkCalendar,
    timezone: str = "Asia/Shanghai",
) -> ClockReport:
    now = local_now(clock, timezone)
    today = now.date()
    report = ClockReport()
    async with transaction(sessions) as session:
        cases = await _running(session)
        supervised = await _supervised(session, [c.id for c in cases if c.id is not None])
        for case in cases:
            kind = rules.running_clock(case.state)
            due = rules.running_due(
                state=case.state, accept_due=case.accept_due, conclude_due=case.conclude_due
            )
            if kind is None or due is None:
                continue
            try:
                alarm = rules.alarm(
                    due=due, today=today, workdays_between=calendar.workdays_between
                )
            except UnknownYearError as error:
                report.unknown_years.add(error.year)
                continue
            if alarm == "warn":
                report.warned += await warn_owners(session=session, case=case, clock=kind, due=due)
            elif alarm == "overdue" and (case.id, kind, str(due)) not in supervised:
                await escalate_overdue(session=session, case=case, clock=kind, due=due, now=now)
                report.escalated += 1
        appeals = await watch_appeals(session=session, now=now, calendar=calendar)
        report.warned += appeals.warned
        report.escalated += appeals.escalated
    if report.unknown_years:
        log.warning("case clocks: no working-day calendar for %s", sorted(report.unknown_years))
    return report


async def _running(session: AsyncSession) -> list[Case]:
    found = await session.execute(
        select(Case).where(col(Case.state).in_(sorted(rules.RUNNING_STATES))).order_by(col(Case.id))
    )
    return list(found.scalars())


async def _supervised(session: AsyncSession, case_ids: list[int]) -> set[tuple[int, str, str]]:
    if not case_ids:
        return set()
    found = await session.execute(
        select(col(CaseEvent.case_id), col(CaseEvent.detail)).where(
            col(CaseEvent.case_id).in_(case_ids), col(CaseEvent.action) == "supervise"
        )
    )
    return {
        (int(case_id), str(detail.get("clock")), str(detail.get("due")))
        for case_id, detail in found.all()
    }
