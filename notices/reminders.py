"""The reminder sweep: units' deadlines ahead, due today and overdue, and escalations to the
bureau, all through the outbox.

A sweep looks at every open task and asks ``domain.deadlines.reminders_due`` what today calls
for. Each reminder is a ``Reminder`` row, unique per task, kind and day, written in the same
transaction as its outbox rows: however often the sweep runs, and whatever it missed while the
bot was down, a reminder goes out once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from domain.clock import Clock
from domain.deadlines import DueReminder, ReminderPolicy, reminders_due
from domain.workdays import REASON_UNKNOWN_YEAR, UnknownYearError, WorkCalendar
from messages.i18n import N_, Translator
from services.tasks import send_reminder
from storage.audiences import admins
from storage.db import transaction
from storage.models import Cycle, Reminder, Unit, UnitTask
from storage.outbox import enqueue

log = logging.getLogger(__name__)

CALENDAR_UNKNOWN = N_(
    "The working-day calendar for {year} is not known, so units' deadline reminders are "
    "paused. Supply it: set GONGSHI_CALENDAR_FILE to a file with that year's holidays and "
    "make-up working days (see domain/calendar_example.toml)."
)


@dataclass
class SweepReport:
    reminders: int = 0
    messages: int = 0
    escalated: int = 0
    unknown_years: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _OpenTask:
    task: UnitTask
    unit_name: str
    policy: ReminderPolicy


def local_now(clock: Clock, timezone: str) -> datetime:
    return clock.now().astimezone(ZoneInfo(timezone))


async def sweep_reminders(
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    calendar: WorkCalendar,
    timezone: str = "Asia/Shanghai",
) -> SweepReport:
    now = local_now(clock, timezone)
    report = SweepReport()
    async with transaction(sessions) as session:
        tasks = await _open_tasks(session)
        sent = await _already_sent(session, [o.task.id for o in tasks if o.task.id], now.date())
        for item in tasks:
            if now.hour < item.policy.send_from_hour:
                continue
            try:
                due = reminders_due(
                    due_on=item.task.due_on,
                    today=now.date(),
                    calendar=calendar,
                    policy=item.policy,
                )
            except UnknownYearError as error:
                report.unknown_years.add(error.year)
                continue
            for reminder in due:
                if (item.task.id, reminder.kind, reminder.on_day) in sent:
                    continue
                await _send_reminder(session, item, reminder, now, report)
        for year in sorted(report.unknown_years):
            await _calendar_unknown(session, year, now.date())
    return report


async def _open_tasks(session: AsyncSession) -> list[_OpenTask]:
    rows = await session.execute(
        select(UnitTask, col(Unit.name), col(Cycle.settings))
        .join(Unit, col(Unit.id) == col(UnitTask.unit_id))
        .join(Cycle, col(Cycle.id) == col(UnitTask.cycle_id))
        .where(col(UnitTask.state) != "done")
        .order_by(col(UnitTask.due_on), col(UnitTask.id))
    )
    found = []
    for task, unit_name, settings in rows.all():
        saved = (settings or {}).get("reminders")
        policy = ReminderPolicy.from_json(saved if isinstance(saved, dict) else None)
        found.append(_OpenTask(task, str(unit_name), policy))
    return found


async def _already_sent(
    session: AsyncSession, task_ids: Sequence[int], today: date
) -> set[tuple[int, str, date]]:
    if not task_ids:
        return set()
    rows = await session.execute(
        select(col(Reminder.task_id), col(Reminder.kind), col(Reminder.on_day)).where(
            col(Reminder.task_id).in_(task_ids),
            or_(col(Reminder.on_day) == today, col(Reminder.kind) == "escalation"),
        )
    )
    return {(int(t), str(k), d) for t, k, d in rows.all()}


async def _send_reminder(
    session: AsyncSession,
    item: _OpenTask,
    reminder: DueReminder,
    now: datetime,
    report: SweepReport,
) -> None:
    sent = await send_reminder(
        session=session, task=item.task, unit_name=item.unit_name, reminder=reminder, now=now
    )
    report.reminders += 1
    report.escalated += reminder.audience == "bureau"
    report.messages += sent


async def _calendar_unknown(session: AsyncSession, year: int, today: date) -> None:
    log.error(REASON_UNKNOWN_YEAR.format(year=year))
    for person in await admins(session):
        await enqueue(
            session,
            chat_id=person.user_id,
            kind="alert",
            text=Translator(person.language)(CALENDAR_UNKNOWN, year=year),
            dedup_key=f"calendar-unknown:{year}:{today}:{person.user_id}",
        )
