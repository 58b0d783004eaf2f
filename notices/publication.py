"""The sweep that closes a 公示 when its window is over (services.publication does the closing)
and tells the administrator once the open 公示's channel pages are all posted
(services.channel_progress)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from services.channel_progress import report_when_posted
from services.publication import close_gongshi
from storage import publication as store
from storage.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    closed: list[int]
    withdrawn: int


async def sweep_gongshi(*, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> SweepReport:
    """Close every 公示 whose last day (a working day, counted on the calendar when it opened)
    is over, and withdraw channel posts that were still being sent at a close."""
    today = clock.today()
    closed: list[int] = []
    async with transaction(sessions) as session:
        years = await store.due_to_close(session, today=today)
    for year in years:
        async with transaction(sessions) as session:
            try:
                await close_gongshi(session=session, year=year, now=clock.now(), actor="scheduler")
            except store.PublicationError:
                continue  # closed meanwhile by an admin or another process
            closed.append(year)
            log.info("公示 of %s closed at the end of its window", year)
    async with transaction(sessions) as session:
        withdrawn = await store.withdraw_leftovers(session=session, now=clock.now())
    async with transaction(sessions) as session:
        cycle = await store.current_cycle(session)
        if cycle is not None and cycle.state == store.OPEN:
            await report_when_posted(session=session, cycle=cycle)
    return SweepReport(closed, withdrawn)
