"""The inspection's sweep: the day-before reminder of each staff verification session."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from services.verification_sessions import remind_day_before
from storage.db import transaction

VERIFICATION_SESSIONS = "verification_sessions"


async def sweep_verification_sessions(
    *, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> int:
    """Queues the reminders due now; a chat already reminded of a session is not again."""
    async with transaction(sessions) as session:
        return await remind_day_before(session=session, now=clock.now())
