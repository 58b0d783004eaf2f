"""Units' tasks: create a cycle's tasks, send the reminder the calendar calls for, and the
reminder a bureau official sends by hand, each through the outbox in the caller's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.deadlines import (
    DeadlineConfig,
    DueReminder,
    PlannedTask,
    gongshi_window,
    plan_tasks,
)
from domain.workdays import WorkCalendar
from messages.callbacks_tasks import MyTask, RemindTask, UnitTasks
from messages.i18n import N_, Translator
from messages.replies import Button
from messages.tasks import day_text, file_asked, task_title
from services.inspection_plan import follow_window
from storage import unit_tasks as store
from storage.audiences import Recipient, bureau_staff, unit_contacts
from storage.audit import audit
from storage.inspection import inspectors_of_unit, plan_of
from storage.models import Cycle, Reminder, UnitTask
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
GROUP_ALSO_ESCALATED = frozenset({"self_check"})
OPEN_TASK = N_("Open the task")
REMIND_UNIT = N_("Remind the unit")
UNIT_TASKS = N_("The unit's tasks")


async def create_tasks(
    *, session: AsyncSession, cycle: Cycle, plan: Sequence[PlannedTask]
) -> store.TaskCounts:
    """Every unit gets every planned task; running it again changes nothing. The tasks during
    the city's inspection keep its plan's window, when there is a plan."""
    counts = await store.create_tasks(session, cycle=cycle, plan=plan)
    inspection = await plan_of(session, cycle.id) if cycle.id is not None else None
    if inspection is not None:
        await follow_window(session, inspection)
    return counts


async def plan_cycle_tasks(
    *,
    session: AsyncSession,
    cycle: Cycle,
    config: DeadlineConfig,
    calendar: WorkCalendar,
    source: str = "deadlines.toml",
    opens_on: date | None = None,
    deadlines_file: str | None = None,
) -> tuple[list[PlannedTask], store.TaskCounts]:
    """The cycle's tasks planned around its own 公示 window, else one opening on ``opens_on``,
    else the configured default, and written for every unit; the cycle remembers the reminder
    policy. Running it again moves only the tasks not done yet. Raises what ``plan_tasks``
    raises (an unknown year, a bad file)."""
    window = gongshi_window(
        year=cycle.year,
        config=config,
        calendar=calendar,
        opens_on=cycle.gongshi_opens_on or opens_on,
        closes_on=cycle.gongshi_closes_on,
    )
    plan = plan_tasks(
        year=cycle.year, config=config, calendar=calendar, window=window, source=source
    )
    counts = await create_tasks(session=session, cycle=cycle, plan=plan)
    cycle.settings = {
        **cycle.settings,
        "reminders": config.reminders.to_json(),
        "deadlines_file": deadlines_file,
    }
    return plan, counts


async def send_reminder(
    *,
    session: AsyncSession,
    task: UnitTask,
    unit_name: str,
    reminder: DueReminder,
    now: datetime,
) -> int:
    """The reminder the calendar calls for today: the unit's contacts told, or the bureau
    when it escalates (the task is then marked escalated). Returns how many were told."""
    assert task.id is not None
    session.add(Reminder(task_id=task.id, kind=reminder.kind, on_day=reminder.on_day, sent_at=now))
    if reminder.audience == "bureau":
        recipients = await bureau_staff(session)
        if task.kind in GROUP_ALSO_ESCALATED:  # the self-check goes to the unit's group too
            recipients += await inspectors_of_unit(session, task.unit_id)
        if task.state == "open":
            task.state = "escalated"
        audit(
            session,
            action="unit_task_escalated",
            actor="system",
            target_type="unit_task",
            target_id=task.id,
            unit_id=task.unit_id,
            kind=task.kind,
            overdue=reminder.workdays,
        )
    else:
        recipients = await unit_contacts(session, task.unit_id)
        if not recipients:
            log.warning("unit %s has no contact to remind of %s", task.unit_id, task.kind)
    for person in recipients:
        text, buttons = reminder_message(
            Translator(person.language), task, unit_name, reminder, today=now.date()
        )
        await enqueue(
            session,
            chat_id=person.user_id,
            kind="reminder",
            text=text,
            buttons=buttons,
            dedup_key=f"rem:{task.id}:{reminder.kind}:{reminder.on_day}:{person.user_id}",
        )
    return len(recipients)


def reminder_message(
    t: Translator, task: UnitTask, unit_name: str, reminder: DueReminder, *, today: date
) -> tuple[str, list[list[Button]]]:
    title = task_title(t, task.kind, task.title)
    due = day_text(t, task.due_on)
    if reminder.kind == "escalation":
        text = t(ESCALATION, unit=unit_name, task=title, due=due, n=reminder.workdays)
        return text, [
            [
                Button(t(REMIND_UNIT), RemindTask(action="remind", task_id=task.id or 0).pack()),
                Button(
                    t(UNIT_TASKS),
                    UnitTasks(action="unit", unit_id=task.unit_id, cycle_id=task.cycle_id).pack(),
                ),
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
    return f"{text}\n{how}", [
        [Button(t(OPEN_TASK), MyTask(action="task", task_id=task.id or 0).pack())]
    ]


async def remind_by_hand(
    *, session: AsyncSession, task: UnitTask, by_user: int, now: datetime, today: date
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
            buttons=[[Button(t(OPEN_TASK), MyTask(action="task", task_id=task.id or 0).pack())]],
            dedup_key=f"manual:{task.id}:{now:%Y%m%d%H%M}:{person.user_id}",
        )
    audit(
        session,
        actor_user_id=by_user,
        action="unit_task_reminded",
        target_type="unit_task",
        target_id=task.id,
        unit_id=task.unit_id,
        recipients=len(recipients),
    )
    return recipients
