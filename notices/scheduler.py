"""The scheduler runs sweeps, not one job per reminder (DESIGN.md).

Each sweep looks at the rows that are due now and does what they call for: reminders and
escalations of units' deadlines, the weekly digest, giving back outbox rows of a dead sender.
Because a sweep works from the state of the database, a sweep missed while the bot was down
catches up at its next run, once: APScheduler coalesces missed runs into one (``coalesce``),
and every sweep also runs once at start-up.

The case clocks (id ``case_clocks``, notices.case_clocks), the close of the 公示 at the end of
its window (``gongshi_window``, notices.publication) and the daily ``retention`` sweep
(storage.purge.retire_delivered: delivered messages and finished cases' chats) are standard
sweeps; later issues add their
own the same way (``Sweep`` objects passed to ``run_scheduler``).

Only the leader runs sweeps (``notices.leader``); every process delivers the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from domain.workdays import WorkCalendar
from notices.case_clocks import sweep_case_clocks
from notices.config import NoticeSettings
from notices.digest import send_weekly_digest
from notices.inspection import VERIFICATION_SESSIONS, sweep_verification_sessions
from notices.publication import sweep_gongshi
from notices.reminders import sweep_reminders
from storage import outbox_queue
from storage.db import transaction
from storage.purge import retire_delivered

log = logging.getLogger(__name__)

CASE_CLOCKS = "case_clocks"
GONGSHI_WINDOW = "gongshi_window"
LEASE_SWEEP_SECONDS = 30.0
DIGEST_SWEEP_SECONDS = 900.0
GONGSHI_SWEEP_SECONDS = 60.0
RETENTION = "retention"
RETENTION_SWEEP_SECONDS = 86400.0
STOP_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Sweep:
    id: str
    run: Callable[[], Awaitable[object]]
    every_seconds: float
    # A run later than this after its time is skipped; the next one catches up anyway.
    misfire_grace_seconds: int = 300


def standard_sweeps(
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    calendar: WorkCalendar,
    settings: NoticeSettings,
) -> list[Sweep]:
    async def reminders() -> object:
        report = await sweep_reminders(
            sessions=sessions, clock=clock, calendar=calendar, timezone=settings.timezone
        )
        if report.messages:
            log.info("reminder sweep: %d reminders, %d messages", report.reminders, report.messages)
        return report

    async def leases() -> object:
        async with transaction(sessions) as session:
            return await outbox_queue.recover_expired(session, now=clock.now())

    async def digest() -> object:
        return await send_weekly_digest(sessions=sessions, clock=clock, settings=settings)

    async def case_clocks() -> object:
        report = await sweep_case_clocks(
            sessions=sessions, clock=clock, calendar=calendar, timezone=settings.timezone
        )
        if report.warned or report.escalated:
            log.info("case clocks: %d warned, %d escalated", report.warned, report.escalated)
        return report

    async def gongshi_window() -> object:
        return await sweep_gongshi(sessions=sessions, clock=clock)

    async def verification_sessions() -> object:
        return await sweep_verification_sessions(sessions=sessions, clock=clock)

    async def retention() -> object:
        async with transaction(sessions) as session:
            retired = await retire_delivered(
                session=session, now=clock.now(), outbox_days=settings.outbox_retention_days
            )
        log.info("retention sweep: %s", retired.counts())
        return retired

    every = settings.reminder_sweep_seconds
    return [
        Sweep("unit_reminders", reminders, every, misfire_grace_seconds=max(1, int(every))),
        Sweep("outbox_leases", leases, LEASE_SWEEP_SECONDS, misfire_grace_seconds=60),
        Sweep("weekly_digest", digest, DIGEST_SWEEP_SECONDS, misfire_grace_seconds=900),
        Sweep(GONGSHI_WINDOW, gongshi_window, GONGSHI_SWEEP_SECONDS, misfire_grace_seconds=300),
        Sweep(CASE_CLOCKS, case_clocks, every, misfire_grace_seconds=max(1, int(every))),
        Sweep(RETENTION, retention, RETENTION_SWEEP_SECONDS, misfire_grace_seconds=3600),
        Sweep(VERIFICATION_SESSIONS, verification_sessions, every, misfire_grace_seconds=300),
    ]


def build_scheduler(sweeps: Sequence[Sweep], *, timezone: str) -> AsyncIOScheduler:
    zone = ZoneInfo(timezone)
    scheduler = AsyncIOScheduler(timezone=zone)
    for sweep in sweeps:
        scheduler.add_job(
            _logged(sweep),
            IntervalTrigger(seconds=sweep.every_seconds, timezone=zone),
            id=sweep.id,
            name=sweep.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=sweep.misfire_grace_seconds,
            # Start-up runs every sweep at once: what was missed while down is caught up now.
            next_run_time=datetime.now(zone),
        )
    return scheduler


def _logged(sweep: Sweep) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await sweep.run()
        except Exception:
            log.exception("sweep %s failed; it runs again at its next time", sweep.id)

    run.__name__ = f"sweep_{sweep.id}"
    return run


class ScheduledSweeps:
    """Starts the scheduler when this process is elected leader, stops it when deposed."""

    def __init__(self, sweeps: Sequence[Sweep], *, timezone: str) -> None:
        self.sweeps = [replace(sweep, run=self._tracked(sweep.run)) for sweep in sweeps]
        self.timezone = timezone
        self.scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[object]] = set()

    def _tracked(self, run: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
        async def tracked() -> object:
            task = asyncio.current_task()
            assert task is not None  # APScheduler runs coroutine jobs as tasks
            self._running.add(task)
            try:
                return await run()
            finally:
                self._running.discard(task)

        return tracked

    async def elected(self) -> None:
        # A fresh scheduler each term: jobs of an old term never run twice.
        self.scheduler = build_scheduler(self.sweeps, timezone=self.timezone)
        self.scheduler.start()

    async def deposed(self) -> None:
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is None or not scheduler.running:
            return
        # Let a sweep under way finish its transaction rather than cancel it halfway; a sweep
        # is short, and the next leader waits longer than that before it takes over.
        scheduler.pause()
        if self._running:
            await asyncio.wait(list(self._running), timeout=STOP_WAIT_SECONDS)
        scheduler.shutdown(wait=False)
