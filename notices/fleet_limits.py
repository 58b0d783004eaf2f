"""The sender's side of the fleet's shared limits (``storage.fleet_limits``): on PostgreSQL,
where several processes send, each message takes its overall turn and its chat's turn from
the database before it goes, a 429 pauses every process, and the replies each process sends
outside the outbox are charged to the same budget. On SQLite there is one process
and the sender's own pacer (``notices.pacing``) is the whole story: ``for_sessions`` gives None.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notices.config import NoticeSettings
from storage.fleet_limits import Turn, charge_fleet, pause_fleet, take_turn

log = logging.getLogger(__name__)


class FleetBudget:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], settings: NoticeSettings
    ) -> None:
        self.sessions = sessions
        self.rate = settings.outbox_rate
        self.burst = settings.global_burst
        self._pauses: set[asyncio.Task[None]] = set()
        self._spent = 0.0  # replies not yet charged
        self._charging: asyncio.Task[None] | None = None

    @classmethod
    def for_sessions(
        cls, sessions: async_sessionmaker[AsyncSession], settings: NoticeSettings
    ) -> FleetBudget | None:
        bind = sessions.kw.get("bind")
        dialect = getattr(getattr(bind, "dialect", None), "name", "")
        if dialect != "postgresql" or not settings.outbox_fleet_limits:
            return None
        return cls(sessions, settings)

    async def turn(self, chat_id: int, chat_gap: float) -> Turn | None:
        """The message's turn (see ``Turn``); None if the database could not be asked."""
        try:
            async with self.sessions() as session, session.begin():
                return await take_turn(
                    session, chat_id=chat_id, rate=self.rate, burst=self.burst, chat_gap=chat_gap
                )
        except Exception:
            log.exception("the fleet's send budget could not be read; waiting")
            return None

    def pause(self, seconds: float) -> None:
        """Every process waits ``seconds``: written in the background, the sender goes on."""
        task = asyncio.create_task(self._pause(seconds))
        self._pauses.add(task)
        task.add_done_callback(self._pauses.discard)

    async def _pause(self, seconds: float) -> None:
        try:
            async with self.sessions() as session, session.begin():
                await pause_fleet(session, seconds=seconds)
        except Exception:
            log.exception("the fleet could not be paused for %.0f s", seconds)

    def spend(self, messages: float) -> None:
        """Replies sent outside the budget, charged to it in the background: those that come
        while a charge is being written go together in the next."""
        self._spent += messages
        if self._charging is None or self._charging.done():
            self._charging = asyncio.create_task(self._charge())

    async def _charge(self) -> None:
        while self._spent:
            messages, self._spent = self._spent, 0
            try:
                async with self.sessions() as session, session.begin():
                    await charge_fleet(session, messages=messages, rate=self.rate, burst=self.burst)
            except Exception:
                log.exception("%.1f replies could not be charged to the fleet's budget", messages)

    async def settle(self) -> None:
        if self._charging is not None:
            await asyncio.gather(self._charging, return_exceptions=True)
        if self._pauses:
            await asyncio.gather(*self._pauses, return_exceptions=True)
