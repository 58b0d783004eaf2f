"""Staff verification sessions: where and when a unit's workers come, and who can be told.
Keyword-only; nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.audiences import Recipient
from storage.models import RoleBinding, TelegramUser, VerificationSession, Worker


@dataclass(frozen=True)
class Reach:
    """A unit's workers on duty: those bound to the bot (told in chat) and those who are not
    (who cannot have been told by the bot)."""

    bound: list[tuple[int, Recipient]]  # worker id, their chat
    unreachable: list[Worker]


async def session_of(
    session: AsyncSession, *, plan_id: int, unit_id: int
) -> VerificationSession | None:
    found = await session.execute(
        select(VerificationSession).where(
            col(VerificationSession.plan_id) == plan_id,
            col(VerificationSession.unit_id) == unit_id,
        )
    )
    return found.scalars().first()


async def upcoming(session: AsyncSession, *, now: datetime) -> list[VerificationSession]:
    found = await session.execute(
        select(VerificationSession).where(col(VerificationSession.starts_at) > now)
    )
    return list(found.scalars())


async def workers_reach(session: AsyncSession, unit_id: int) -> Reach:
    found = await session.execute(
        select(
            Worker,
            col(RoleBinding.user_id),
            col(TelegramUser.language),
            col(TelegramUser.blocked_bot),
        )
        .outerjoin(
            RoleBinding,
            (col(RoleBinding.worker_id) == col(Worker.id))
            & (col(RoleBinding.role) == "worker")
            & col(RoleBinding.revoked_at).is_(None),
        )
        .outerjoin(TelegramUser, col(TelegramUser.id) == col(RoleBinding.user_id))
        .where(col(Worker.unit_id) == unit_id, col(Worker.status) == "on_duty")
        .order_by(col(Worker.name), col(Worker.id))
    )
    bound: list[tuple[int, Recipient]] = []
    unreachable: dict[int, Worker] = {}
    reached: set[int] = set()
    for worker, user_id, language, blocked in found.all():
        assert worker.id is not None
        if user_id is None or blocked:
            unreachable[worker.id] = worker
        else:
            reached.add(worker.id)
            bound.append((worker.id, Recipient(int(user_id), str(language or "zh"))))
    return Reach(bound, [w for wid, w in unreachable.items() if wid not in reached])


async def worker_chats(session: AsyncSession, worker_id: int) -> list[Recipient]:
    found = await session.execute(
        select(col(RoleBinding.user_id), col(TelegramUser.language))
        .outerjoin(TelegramUser, col(TelegramUser.id) == col(RoleBinding.user_id))
        .where(
            col(RoleBinding.worker_id) == worker_id,
            col(RoleBinding.role) == "worker",
            col(RoleBinding.revoked_at).is_(None),
        )
    )
    return [Recipient(int(u), str(lang or "zh")) for u, lang in found.all()]
