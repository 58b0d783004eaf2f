"""The inspection plan's rows: the plan of a cycle, its groups and people, which group
inspects which unit, and whose group an inspector is. Keyword-only; nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.audiences import Recipient
from storage.models import (
    Cycle,
    InspectionAssignment,
    InspectionGroup,
    InspectionMember,
    InspectionPlan,
    RoleBinding,
    TelegramUser,
    Unit,
    Worker,
)


@dataclass(frozen=True)
class UnitInPlan:
    unit_id: int
    name: str
    workers: int
    group: int | None  # the group's number, None: not assigned yet


async def plan_of(session: AsyncSession, cycle_id: int) -> InspectionPlan | None:
    found = await session.execute(
        select(InspectionPlan).where(col(InspectionPlan.cycle_id) == cycle_id)
    )
    return found.scalars().first()


async def latest_plan(session: AsyncSession) -> tuple[InspectionPlan, Cycle] | None:
    """The newest cycle's plan: the one inspectors work on."""
    found = await session.execute(
        select(InspectionPlan, Cycle)
        .join(Cycle, col(Cycle.id) == col(InspectionPlan.cycle_id))
        .order_by(col(Cycle.year).desc())
        .limit(1)
    )
    row = found.first()
    return (row[0], row[1]) if row else None


async def groups_of(session: AsyncSession, plan_id: int) -> list[InspectionGroup]:
    found = await session.execute(
        select(InspectionGroup)
        .where(col(InspectionGroup.plan_id) == plan_id)
        .order_by(col(InspectionGroup.number))
    )
    return list(found.scalars())


async def members_of(session: AsyncSession, plan_id: int) -> list[InspectionMember]:
    found = await session.execute(
        select(InspectionMember)
        .where(col(InspectionMember.plan_id) == plan_id)
        .order_by(col(InspectionMember.id))
    )
    return list(found.scalars())


async def workers_on_duty(session: AsyncSession) -> dict[int, int]:
    """Every unit (id → workers on duty), units with none included."""
    units = await session.execute(select(col(Unit.id)))
    counts = {uid: 0 for uid in units.scalars() if uid is not None}
    found = await session.execute(
        select(col(Worker.unit_id), func.count())
        .where(col(Worker.status) == "on_duty")
        .group_by(col(Worker.unit_id))
    )
    counts.update({uid: int(n) for uid, n in found.all()})
    return counts


async def units_in_plan(session: AsyncSession, plan_id: int) -> list[UnitInPlan]:
    workers = await workers_on_duty(session)
    found = await session.execute(
        select(col(Unit.id), col(Unit.name), col(InspectionGroup.number))
        .outerjoin(
            InspectionAssignment,
            (col(InspectionAssignment.unit_id) == col(Unit.id))
            & (col(InspectionAssignment.plan_id) == plan_id),
        )
        .outerjoin(InspectionGroup, col(InspectionGroup.id) == col(InspectionAssignment.group_id))
        .order_by(col(Unit.name))
    )
    return [
        UnitInPlan(uid, str(name), workers.get(uid, 0), number)
        for uid, name, number in found.all()
        if uid is not None
    ]


async def assignments(session: AsyncSession, plan_id: int) -> dict[int, InspectionAssignment]:
    found = await session.execute(
        select(InspectionAssignment).where(col(InspectionAssignment.plan_id) == plan_id)
    )
    return {a.unit_id: a for a in found.scalars()}


async def group_of_unit(session: AsyncSession, plan_id: int, unit_id: int) -> int | None:
    """The id of the group that inspects the unit."""
    found = await session.execute(
        select(col(InspectionAssignment.group_id)).where(
            col(InspectionAssignment.plan_id) == plan_id,
            col(InspectionAssignment.unit_id) == unit_id,
        )
    )
    return found.scalar_one_or_none()


async def units_of_group(session: AsyncSession, group_id: int) -> list[tuple[int, str]]:
    found = await session.execute(
        select(col(Unit.id), col(Unit.name))
        .join(InspectionAssignment, col(InspectionAssignment.unit_id) == col(Unit.id))
        .where(col(InspectionAssignment.group_id) == group_id)
        .order_by(col(Unit.name))
    )
    return [(uid, str(name)) for uid, name in found.all() if uid is not None]


async def member_of(
    session: AsyncSession, *, plan_id: int, official_id: int | None
) -> InspectionMember | None:
    """The plan's group member bound to this official, if any."""
    if official_id is None:
        return None
    found = await session.execute(
        select(InspectionMember).where(
            col(InspectionMember.plan_id) == plan_id,
            col(InspectionMember.official_id) == official_id,
            col(InspectionMember.group_id).is_not(None),
        )
    )
    return found.scalars().first()


async def group_user_ids(session: AsyncSession, group_id: int) -> list[int]:
    """The Telegram users bound as inspectors to the group's members."""
    found = await session.execute(
        select(col(RoleBinding.user_id))
        .join(InspectionMember, col(InspectionMember.official_id) == col(RoleBinding.official_id))
        .where(
            col(InspectionMember.group_id) == group_id,
            col(RoleBinding.role) == "inspector",
            col(RoleBinding.revoked_at).is_(None),
        )
        .distinct()
    )
    return sorted(found.scalars())


@dataclass(frozen=True)
class InspectorPlace:
    """An inspector's place in the newest plan: the plan, its cycle and their group."""

    plan: InspectionPlan
    cycle: Cycle
    member: InspectionMember

    @property
    def group_id(self) -> int:
        assert self.member.group_id is not None
        return self.member.group_id


async def inspector_place(session: AsyncSession, official_id: int | None) -> InspectorPlace | None:
    """Where the inspector bound to ``official_id`` works now, or None (no plan, no group)."""
    latest = await latest_plan(session)
    if latest is None or latest[0].id is None:
        return None
    member = await member_of(session, plan_id=latest[0].id, official_id=official_id)
    return InspectorPlace(latest[0], latest[1], member) if member is not None else None


async def unit_in_group(session: AsyncSession, place: InspectorPlace, unit_id: int) -> bool:
    assert place.plan.id is not None
    return await group_of_unit(session, place.plan.id, unit_id) == place.group_id


async def inspectors_of_unit(session: AsyncSession, unit_id: int) -> list[Recipient]:
    """The bound inspectors of the group that inspects the unit in the newest plan."""
    latest = await latest_plan(session)
    if latest is None or latest[0].id is None:
        return []
    group_id = await group_of_unit(session, latest[0].id, unit_id)
    if group_id is None:
        return []
    found = await session.execute(
        select(col(TelegramUser.id), col(TelegramUser.language)).where(
            col(TelegramUser.id).in_(await group_user_ids(session, group_id))
        )
    )
    languages = {int(uid): str(lang or "zh") for uid, lang in found.all()}
    return [
        Recipient(uid, languages.get(uid, "zh")) for uid in await group_user_ids(session, group_id)
    ]
