"""Where each inspection group member stands with their invitation: bound to a chat, invited
(a link not yet used and not expired), or not invited yet; and the verification sessions a
changed window leaves outside it. Reads only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import (
    InspectionMember,
    InspectionPlan,
    Invitation,
    RoleBinding,
    VerificationSession,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def invitation_states(
    session: AsyncSession, members: Sequence[InspectionMember], *, now: datetime
) -> dict[int, str]:
    """Member id → ``bound``, ``invited`` or ``none``."""
    officials = [m.official_id for m in members if m.official_id is not None]
    bound: set[int] = set()
    invited: set[int] = set()
    if officials:
        found = await session.execute(
            select(col(RoleBinding.official_id)).where(
                col(RoleBinding.official_id).in_(officials),
                col(RoleBinding.role) == "inspector",
                col(RoleBinding.revoked_at).is_(None),
            )
        )
        bound = {int(i) for i in found.scalars() if i is not None}
        found = await session.execute(
            select(col(Invitation.official_id)).where(
                col(Invitation.official_id).in_(officials),
                col(Invitation.used_at).is_(None),
                col(Invitation.expires_at) > now,
            )
        )
        invited = {int(i) for i in found.scalars() if i is not None}
    states: dict[int, str] = {}
    for member in members:
        assert member.id is not None
        official = member.official_id
        states[member.id] = (
            "bound" if official in bound else "invited" if official in invited else "none"
        )
    return states


async def sessions_outside(session: AsyncSession, plan: InspectionPlan) -> int:
    """How many of the plan's verification sessions fall outside its window (after a change)."""
    found = await session.execute(
        select(col(VerificationSession.starts_at)).where(
            col(VerificationSession.plan_id) == plan.id
        )
    )
    days = [at.astimezone(SHANGHAI).date() for at in found.scalars()]
    return sum(1 for day in days if not plan.starts_on <= day <= plan.due_on)
