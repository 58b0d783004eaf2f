"""Who is told: a unit's contacts, the bureau's staff, the admins, each with their language.

Revoked bindings do not count, and neither do users known to have blocked the bot: a message
queued for them would only fail.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import RoleBinding, TelegramUser


@dataclass(frozen=True)
class Recipient:
    user_id: int
    language: str


async def _bound(session: AsyncSession, role: str, unit_id: int | None = None) -> list[Recipient]:
    statement = (
        select(col(RoleBinding.user_id), col(TelegramUser.language))
        .outerjoin(TelegramUser, col(TelegramUser.id) == col(RoleBinding.user_id))
        .where(
            col(RoleBinding.role) == role,
            col(RoleBinding.revoked_at).is_(None),
            col(TelegramUser.blocked_bot).is_not(True),
        )
        .order_by(col(RoleBinding.user_id))
    )
    if unit_id is not None:
        statement = statement.where(col(RoleBinding.unit_id) == unit_id)
    seen: dict[int, Recipient] = {}
    for user_id, language in (await session.execute(statement)).all():
        seen.setdefault(int(user_id), Recipient(int(user_id), str(language or "zh")))
    return list(seen.values())


async def unit_contacts(session: AsyncSession, unit_id: int) -> list[Recipient]:
    return await _bound(session, "unit", unit_id)


async def bureau_staff(session: AsyncSession) -> list[Recipient]:
    return await _bound(session, "bureau")


async def admins(session: AsyncSession) -> list[Recipient]:
    return await _bound(session, "admin")
