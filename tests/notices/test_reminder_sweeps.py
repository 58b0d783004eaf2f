"""The scheduler's sweeps: jobs set up as DESIGN.md says, downtime across a deadline caught up
with one reminder, and a year the calendar does not know reported, not guessed."""

from __future__ import annotations

import asyncio
import logging

from notices_world import at, build_world
from sqlalchemy import func, select

from domain.clock import FixedClock
from domain.workdays import WorkCalendar
from notices.config import NoticeSettings
from notices.reminders import sweep_reminders
from notices.scheduler import ScheduledSweeps, Sweep, build_scheduler, standard_sweeps
from storage.models import Outbox, Reminder, UnitTask

CALENDAR = WorkCalendar()
CONTACT, OFFICIAL, ADMIN = 5200000001, 5200000011, 5200000021


async def count(storage, model, *where) -> int:
    async with storage.sessions() as session:
        statement = select(func.count()).select_from(model)
        for criterion in where:
            statement = statement.where(criterion)
        return (await session.execute(statement)).scalar_one()


async def test_jobs_are_sweeps_with_ids_coalesced_and_a_grace_time(storage):
    settings = NoticeSettings(reminder_sweep_seconds=120)
    sweeps = standard_sweeps(
        sessions=storage.sessions, clock=FixedClock(at(12, 1)), calendar=CALENDAR, settings=settings
    )
    scheduler = build_scheduler(
        [*sweeps, Sweep("case_clocks", sweeps[0].run, 60)], timezone="Asia/Shanghai"
    )
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "unit_reminders",
        "outbox_leases",
        "weekly_digest",
        "case_clocks",
        "gongshi_window",
        "retention",
        "verification_sessions",
    }
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time >= 60
    assert jobs["unit_reminders"].misfire_grace_time == 120
    # replace_existing: the same id again replaces, never duplicates.
    again = build_scheduler([*sweeps, sweeps[0]], timezone="Asia/Shanghai")
    again.start(paused=True)
    try:
        assert sorted(job.id for job in again.get_jobs()) == [
            "case_clocks",
            "gongshi_window",
            "outbox_leases",
            "retention",
            "unit_reminders",
            "verification_sessions",
            "weekly_digest",
        ]
    finally:
        again.shutdown(wait=False)


async def test_downtime_across_a_deadline_then_restart_sends_one_reminder(storage):
    await build_world(storage.sessions, units={"县城市管理局": [CONTACT]}, bureau=[OFFICIAL])
    clock = FixedClock(at(12, 11, 10))  # Fri: the results are due Tue Dec 15
    await sweep_reminders(sessions=storage.sessions, clock=clock, calendar=CALENDAR)
    assert await count(storage, Reminder, Reminder.kind == "before") == 0

    # Down from Friday to Thursday Dec 17: the 3-day, 1-day and on-the-day reminders were
    # missed. The restarted scheduler runs its sweeps at once and then every 0.1 s.
    clock.set(at(12, 17, 10))
    settings = NoticeSettings(reminder_sweep_seconds=0.1)
    sweeps = ScheduledSweeps(
        standard_sweeps(
            sessions=storage.sessions, clock=clock, calendar=CALENDAR, settings=settings
        ),
        timezone="Asia/Shanghai",
    )
    await sweeps.elected()
    try:
        await asyncio.sleep(0.8)  # several runs of the reminder sweep
    finally:
        await sweeps.deposed()
    async with storage.sessions() as session:
        results = await session.execute(
            select(Reminder.kind, Reminder.on_day)
            .join(UnitTask, UnitTask.id == Reminder.task_id)
            .where(UnitTask.kind == "results_submitted")
        )
        kinds = sorted((kind, day.day) for kind, day in results.all())
    # One reminder to the unit (overdue, today), one escalation to the bureau: not a pile of
    # missed ones, and not one per sweep.
    assert kinds == [("escalation", 15), ("overdue", 17)]
    to_contact = await count(
        storage, Outbox, Outbox.chat_id == CONTACT, Outbox.dedup_key.like("rem:%:2026-12-17:%")
    )
    reminders_today = await count(
        storage, Reminder, Reminder.on_day == at(12, 17).date(), Reminder.kind != "escalation"
    )
    assert to_contact == reminders_today  # one message per reminder, none twice


async def test_reminders_wait_for_office_hours(storage):
    await build_world(storage.sessions, units={"县城市管理局": [CONTACT]}, bureau=[])
    clock = FixedClock(at(12, 10, 8, 59))  # results due in 3 working days
    await sweep_reminders(sessions=storage.sessions, clock=clock, calendar=CALENDAR)
    assert await count(storage, Outbox) == 0
    clock.set(at(12, 10, 9, 0))
    await sweep_reminders(sessions=storage.sessions, clock=clock, calendar=CALENDAR)
    assert await count(storage, Outbox) > 0


async def test_an_unknown_year_pauses_reminders_and_tells_the_admins_once_a_day(storage, caplog):
    await build_world(
        storage.sessions, units={"县城市管理局": [CONTACT]}, bureau=[OFFICIAL], admins=(ADMIN,)
    )
    clock = FixedClock(at(1, 4, 10, year=2027))  # chinese_calendar does not know 2027
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            report = await sweep_reminders(
                sessions=storage.sessions, clock=clock, calendar=CALENDAR
            )
    assert report.unknown_years == {2027}
    assert await count(storage, Reminder) == 0
    async with storage.sessions() as session:
        alerts = (await session.execute(select(Outbox))).scalars().all()
    assert [(a.chat_id, a.kind) for a in alerts] == [(ADMIN, "alert")]
    assert (
        "2027" in alerts[0].payload["text"] and "GONGSHI_CALENDAR_FILE" in alerts[0].payload["text"]
    )
    assert any("2027" in record.getMessage() for record in caplog.records)


async def test_a_bot_process_delivers_and_leads_the_sweeps(storage, sb, notice_settings):
    """`run_notices` as `gongshi run` starts it: on SQLite the one process leads."""
    from notices.service import run_notices

    await sb.create_persona("联系人", id=CONTACT)
    await sb.update_persona(CONTACT, started=True)
    await build_world(storage.sessions, units={"县城市管理局": [CONTACT]}, bureau=[])
    clock = FixedClock(at(12, 10, 10))  # results due in 3 working days
    stop = asyncio.Event()
    service = asyncio.create_task(
        run_notices(
            engine=storage.engine,
            sessions=storage.sessions,
            settings=notice_settings,
            clock=clock,
            calendar=CALENDAR,
            stop=stop,
        )
    )
    try:
        # Overdue rules, and the assessment and results due in 3 working days: one a second.
        messages = await sb.wait_for(CONTACT, 3, timeout=10)
        await asyncio.sleep(0.3)  # the last result is recorded
    finally:
        stop.set()
        await service
    texts = [m["text"] for m in messages]
    assert sum("还有 3 个工作日" in text for text in texts) == 2
    assert sum(text.startswith("⚠️ 已逾期") for text in texts) == 1
    assert await count(storage, Outbox, Outbox.state != "sent") == 0
