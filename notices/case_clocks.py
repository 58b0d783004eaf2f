"""The case clocks' sweep: warn a case's owner one working day before its deadline, and
escalate an overdue case to the bureau (督办), once per case and deadline.

A sweep works from the database alone. A warning's outbox row has a dedup key per case,
deadline and recipient; an escalation is also a case event (``supervise``) naming the
deadline. However often the sweep runs, and after any restart, each goes out once; a deadline
moved by an extension is a new deadline and is watched afresh.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from domain import cases as rules
from domain.clock import Clock
from domain.workdays import UnknownYearError, WorkCalendar
from messages.i18n import N_, translate
from messages.replies import Button
from notices.reminders import local_now
from storage.audiences import Recipient, bureau_staff, unit_contacts
from storage.cases import assignee_user
from storage.complaints import add_event, investigators
from storage.db import transaction
from storage.models import Case, CaseEvent, TelegramUser
from storage.outbox import enqueue

log = logging.getLogger(__name__)

WARN_ACCEPT = N_("⏰ Case #{case} must be accepted or rejected by {due}.")
WARN_CONCLUDE = N_("⏰ Case #{case} must be concluded by {due}.")
SUPERVISE_ACCEPT = N_(
    "🔔 督办: case #{case} was due to be accepted or rejected by {due} and is overdue."
)
SUPERVISE_CONCLUDE = N_("🔔 督办: case #{case} was due to be concluded by {due} and is overdue.")
OPEN_CASE = N_("Open the case")
WARNINGS = {"accept": WARN_ACCEPT, "conclude": WARN_CONCLUDE}
SUPERVISIONS = {"accept": SUPERVISE_ACCEPT, "conclude": SUPERVISE_CONCLUDE}


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
            due = case.accept_due if kind == "accept" else case.conclude_due
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
                report.warned += await _warn(session, case, kind, due)
            elif alarm == "overdue" and (case.id, kind, str(due)) not in supervised:
                await _supervise(session, case, kind, due, now=now)
                report.escalated += 1
    if report.unknown_years:
        log.warning("case clocks: no working-day calendar for %s", sorted(report.unknown_years))
    return report


async def _running(session: AsyncSession) -> list[Case]:
    found = await session.execute(
        select(Case)
        .where(col(Case.state).in_(("submitted", "accepted", "investigating", "review")))
        .order_by(col(Case.id))
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


async def _owners(session: AsyncSession, case: Case) -> list[Recipient]:
    """Who holds the case now: its investigator, else the office of its route."""
    assigned = await assignee_user(session, case)
    if assigned is not None:
        user = await session.get(TelegramUser, assigned)
        return [Recipient(assigned, user.language if user else "zh")]
    if case.route == "investigators":
        return await investigators(session)
    if case.route == "unit" and case.unit_id is not None:
        return await unit_contacts(session, case.unit_id)
    return await bureau_staff(session)


async def _warn(session: AsyncSession, case: Case, kind: str, due: date) -> int:
    owners = await _owners(session, case)
    for owner in owners:
        await enqueue(
            session,
            chat_id=owner.user_id,
            kind="reminder",
            text=translate(WARNINGS[kind], owner.language, case=case.id, due=str(due)),
            buttons=_open(owner.language, case),
            dedup_key=f"cs:{case.id}:warn:{kind}:{due}:{owner.user_id}",
        )
    return len(owners)


async def _supervise(
    session: AsyncSession, case: Case, kind: str, due: date, *, now: datetime
) -> None:
    await add_event(session, case, "supervise", now=now, detail={"clock": kind, "due": str(due)})
    for official in await bureau_staff(session):
        await enqueue(
            session,
            chat_id=official.user_id,
            kind="alert",
            text=translate(SUPERVISIONS[kind], official.language, case=case.id, due=str(due)),
            buttons=_open(official.language, case),
            dedup_key=f"cs:{case.id}:supervise:{kind}:{due}:{official.user_id}",
        )


def _open(language: str, case: Case) -> list[list[Button]]:
    return [[Button(translate(OPEN_CASE, language), f"cs:open:{case.id}")]]
