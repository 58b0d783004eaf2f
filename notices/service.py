"""Everything outbound or timed, started together in a bot process: the outbox sender (every
process) and the scheduler (the leader only)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.clock import Clock
from domain.deadlines import DeadlineConfig, parse_config, read_config
from domain.workdays import WorkCalendar, load_overrides
from notices.botapi import BotApi
from notices.config import NoticeSettings
from notices.leader import Leadership
from notices.pacing import ReplyMeter
from notices.scheduler import ScheduledSweeps, Sweep, standard_sweeps
from notices.sender import OutboxSender

DEFAULT_DEADLINES = Path(__file__).parent / "deadlines.toml"


def work_calendar(settings: Any) -> WorkCalendar:
    """The working-day calendar with the deployment's override file, if it has one."""
    path = getattr(settings, "calendar_file", None)
    return WorkCalendar(load_overrides(Path(path)) if path else None)


def deadline_config(*files: Path | None) -> DeadlineConfig:
    """The shipped defaults, then each file given (deployment-wide, then the cycle's own)."""
    config = read_config(DEFAULT_DEADLINES.read_text(encoding="utf-8"))
    for path in files:
        if path is not None:
            config = parse_config(path.read_text(encoding="utf-8"), source=str(path), base=config)
    return config


async def run_notices(
    *,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: NoticeSettings,
    clock: Clock,
    calendar: WorkCalendar,
    stop: asyncio.Event,
    extra_sweeps: Sequence[Sweep] = (),
    replies: ReplyMeter | None = None,
) -> None:
    """Deliver the outbox and, when this process leads, run the sweeps, until ``stop``.
    ``replies``: the replies the process sends outside the outbox, for which the outbox leaves
    room within Telegram's overall rate."""
    api = BotApi(
        settings.api_base,
        settings.bot_token,
        timeout=settings.outbox_timeout_seconds,
        max_connections=settings.outbox_max_in_flight,
    )
    sender = OutboxSender(
        sessions=sessions, api=api, settings=settings, clock=clock, replies=replies
    )
    sweeps = ScheduledSweeps(
        [
            *standard_sweeps(sessions=sessions, clock=clock, calendar=calendar, settings=settings),
            *extra_sweeps,
        ],
        timezone=settings.timezone,
    )
    leadership = Leadership(engine, retry_seconds=settings.leader_retry_seconds)
    tasks = [
        asyncio.create_task(sender.run(stop), name="outbox-sender"),
        asyncio.create_task(
            leadership.run(stop, elected=sweeps.elected, deposed=sweeps.deposed),
            name="scheduler-leadership",
        ),
    ]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await api.aclose()
