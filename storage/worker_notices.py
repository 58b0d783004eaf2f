"""Who among the workers hears that the 公示 opened: every worker bound to the bot (an active
worker binding) with a result in the cycle, with their language and the result's published
line (grade, renewal, unit)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Result, RoleBinding, TelegramUser, Unit


@dataclass(frozen=True)
class BoundWorker:
    user_id: int
    language: str
    unit_name: str
    grade: str
    renew: bool


async def bound_workers(session: AsyncSession, *, cycle_id: int) -> list[BoundWorker]:
    found = await session.execute(
        select(
            col(RoleBinding.user_id),
            col(TelegramUser.language),
            col(Unit.name),
            col(Result.grade),
            col(Result.renew),
        )
        .join(Result, col(Result.worker_id) == col(RoleBinding.worker_id))
        .join(Unit, col(Unit.id) == col(Result.unit_id))
        .join(TelegramUser, col(TelegramUser.id) == col(RoleBinding.user_id))
        .where(
            col(RoleBinding.role) == "worker",
            col(RoleBinding.revoked_at).is_(None),
            col(Result.cycle_id) == cycle_id,
            col(TelegramUser.blocked_bot).is_(False),
        )
        .order_by(col(RoleBinding.user_id))
    )
    return [
        BoundWorker(int(user_id), str(language), str(unit), str(grade), bool(renew))
        for user_id, language, unit, grade, renew in found.all()
    ]
