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
from messages.replies import Button
from messages.tasks import day_text, file_asked, task_title
from storage.audiences import Recipient, admins, bureau_staff, unit_contacts
from storage.db import transaction
from storage.models import AuditLog, Cycle, Reminder, Unit, UnitTask
from storage.outbox import enqueue

log = logging.getLogger(__name__)

BEFORE = N_("⏰ Reminder: “{task}” is due on {due}, in {n} working days.")
BEFORE_ONE = N_("⏰ Reminder: “{task}” is due on {due}, the next working day.")
ON_DAY = N_("⏰ Due today: “{task}” ({due}).")
ON_LAST_WORKDAY = N_("⏰ “{task}” is due on {due}; today is the last working day before it.")
OVERDUE = N_("⚠️ Overdue: “{task}” was due on {due}, {n} working days ago.")
MARK_DONE_WITH_FILE = N_("When it is done, mark it done in the bot and attach {file}.")
MARK_DONE = N_("When it is done, mark it done in the bot.")
ESCALATION = N_(
    "🔔 Escalation: {unit} has not done “{task}”, due on {due}: {n} working days overdue."
)
MANUAL = N_("📣 The employment bureau reminds you: “{task}” is due on {due}.")
MANUAL_OVERDUE = N_(
    "📣 The employment bureau reminds you: “{task}” was due on {due} and is overdue."
)
CALENDAR_UNKNOWN = N_(
    "The working-day calendar for {year} is not known, so units' deadline reminders are "
    "paused. Supply it: set GONGSHI_CALENDAR_FILE to a file with that year's holidays and "
    "make-up working days (see domain/calendar_example.toml)."
)
OPEN_TASK = N_("Open the task")
REMIND_UNIT = N_("Remind the unit")
UNIT_TASKS = N_("The unit's tasks")


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
    task = item.task
    assert task.id is not None
    session.add(Reminder(task_id=task.id, kind=reminder.kind, on_day=reminder.on_day, sent_at=now))
    report.reminders += 1
    if reminder.audience == "bureau":
        recipients = await bureau_staff(session)
        if task.state == "open":
            task.state = "escalated"
        report.escalated += 1
        session.add(
            AuditLog(
                action="unit_task_escalated",
                target_type="unit_task",
                target_id=str(task.id),
                detail={"unit_id": task.unit_id, "kind": task.kind, "overdue": reminder.workdays},
            )
        )
    else:
        recipients = await unit_contacts(session, task.unit_id)
        if not recipients:
            log.warning("unit %s has no contact to remind of %s", task.unit_id, task.kind)
    for person in recipients:
        text, buttons = reminder_message(
            Translator(person.language), item, reminder, today=now.date()
        )
        await enqueue(
            session,
            chat_id=person.user_id,
            kind="reminder",
            text=text,
            buttons=buttons,
            dedup_key=f"rem:{task.id}:{reminder.kind}:{reminder.on_day}:{person.user_id}",
        )
        report.messages += 1


def reminder_message(
    t: Translator, item: _OpenTask, reminder: DueReminder, *, today: date
) -> tuple[str, list[list[Button]]]:
    task = item.task
    title = task_title(t, task.kind, task.title)
    due = day_text(t, task.due_on)
    if reminder.kind == "escalation":
        text = t(ESCALATION, unit=item.unit_name, task=title, due=due, n=reminder.workdays)
        return text, [
            [
                Button(t(REMIND_UNIT), f"bt:remind:{task.id}"),
                Button(t(UNIT_TASKS), f"bt:unit:{task.unit_id}:{task.cycle_id}"),
            ]
        ]
    if reminder.kind == "before":
        template = BEFORE_ONE if reminder.workdays == 1 else BEFORE
        text = t(template, task=title, due=due, n=reminder.workdays)
    elif reminder.kind == "on_day":
        text = t(ON_DAY if today == task.due_on else ON_LAST_WORKDAY, task=title, due=due)
    else:
        text = t(OVERDUE, task=title, due=due, n=reminder.workdays)
    how = t(MARK_DONE_WITH_FILE, file=file_asked(t, task.kind)) if task.needs_file else t(MARK_DONE)
    return f"{text}\n{how}", [[Button(t(OPEN_TASK), f"ut:task:{task.id}")]]


async def remind_by_hand(
    session: AsyncSession, *, task: UnitTask, by_user: int, now: datetime, today: date
) -> list[Recipient]:
    """A reminder a bureau official sends now; a second press within the minute adds none."""
    recipients = await unit_contacts(session, task.unit_id)
    for person in recipients:
        t = Translator(person.language)
        template = MANUAL_OVERDUE if today > task.due_on else MANUAL
        text = t(template, task=task_title(t, task.kind, task.title), due=day_text(t, task.due_on))
        await enqueue(
            session,
            chat_id=person.user_id,
            kind="reminder",
            text=text,
            buttons=[[Button(t(OPEN_TASK), f"ut:task:{task.id}")]],
            dedup_key=f"manual:{task.id}:{now:%Y%m%d%H%M}:{person.user_id}",
        )
    session.add(
        AuditLog(
            actor_user_id=by_user,
            actor="telegram",
            action="unit_task_reminded",
            target_type="unit_task",
            target_id=str(task.id),
            detail={"unit_id": task.unit_id, "recipients": len(recipients)},
        )
    )
    return recipients


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
