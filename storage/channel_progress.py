"""How far the channel's posting of a 公示 has got: its pages by the state of the outbox rows
that post them, and who opened it (the audit log's ``gongshi_opened``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import AuditLog, ChannelPost, Outbox
from storage.outbox_queue import FAILED, SENT


@dataclass(frozen=True)
class PostingProgress:
    pages: int
    sent: int
    failed: int

    @property
    def done(self) -> bool:
        """Every page posted or given up: nothing is left on its way to the channel."""
        return self.pages > 0 and self.sent + self.failed == self.pages


async def posting_progress(session: AsyncSession, *, cycle_id: int) -> PostingProgress:
    rows = await session.execute(
        select(col(Outbox.state), func.count())
        .select_from(ChannelPost)
        .join(Outbox, col(Outbox.id) == col(ChannelPost.outbox_id))
        .where(col(ChannelPost.cycle_id) == cycle_id, col(ChannelPost.deleted_at).is_(None))
        .group_by(col(Outbox.state))
    )
    by_state = {str(state): int(count) for state, count in rows.all()}
    return PostingProgress(sum(by_state.values()), by_state.get(SENT, 0), by_state.get(FAILED, 0))


async def opened_by(session: AsyncSession, *, year: int) -> int | None:
    """The Telegram user who last opened the 公示 of ``year`` in chat; None from the CLI."""
    found = await session.execute(
        select(col(AuditLog.actor_user_id))
        .where(col(AuditLog.action) == "gongshi_opened", col(AuditLog.target_id) == str(year))
        .order_by(col(AuditLog.id).desc())
        .limit(1)
    )
    user = found.scalars().first()
    return int(user) if user is not None else None
