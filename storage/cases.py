"""The cases' rows as the steps read them (services.cases takes the steps): the actor of a
step, the case locked for it, what the rules need to know, the events' numbering, the
investigators bound to officials, and when the cycle's renewals start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import cases as rules
from domain.workdays import UnknownYearError, WorkCalendar
from storage.complaints import add_event
from storage.models import (
    Case,
    CaseEvent,
    Cycle,
    Official,
    Result,
    RoleBinding,
    TelegramUser,
    UnitTask,
)


@dataclass(frozen=True)
class Actor:
    """Who takes a step, in which role. ``official_id`` and ``unit_id`` come from the
    actor's role binding, read on the server."""

    user_id: int | None
    role: str
    official_id: int | None = None
    unit_id: int | None = None


SYSTEM = Actor(user_id=None, role="system")
# The complainant's own steps are recorded without their Telegram id: the history outlives
# the link between the case and the chat.
COMPLAINANT = Actor(user_id=None, role="complainant")


async def load_for_step(session: AsyncSession, case_id: int) -> Case | None:
    # Locked for the step on PostgreSQL: two officials pressing at once take turns, and the
    # second finds the state the first left.
    found = await session.execute(select(Case).where(col(Case.id) == case_id).with_for_update())
    return found.scalars().first()


async def facts_for(session: AsyncSession, case: Case, actor: Actor) -> rules.Facts:
    own_official = actor.official_id
    if actor.role == "investigator" and own_official is None and actor.user_id is not None:
        own_official = await investigator_official(session, user_id=actor.user_id, create=False)
    return rules.Facts(
        state=case.state,
        route=case.route,
        extended=case.extended,
        reopened=case.reopened,
        rated=case.rating is not None,
        assigned_to_other=case.assignee_id is not None and case.assignee_id != own_official,
        own_unit=actor.unit_id is not None and actor.unit_id == case.unit_id,
    )


async def record_step(
    session: AsyncSession,
    case: Case,
    action: str,
    actor: Actor,
    now: datetime,
    *,
    detail: dict[str, Any] | None = None,
) -> CaseEvent:
    """The step's event appended to the history, and the case moved to the step's state."""
    step = rules.STEPS[action]
    event = await add_event(
        session,
        case,
        action,
        now=now,
        to_state=rules.next_state(action, case.state),
        public=step.public,
        actor_user_id=actor.user_id,
        actor_role=actor.role,
        detail=detail,
    )
    case.state = rules.next_state(action, case.state)
    case.updated_at = now
    return event


async def event_seq(session: AsyncSession, case: Case) -> int:
    found = await session.execute(
        select(func.max(col(CaseEvent.seq))).where(col(CaseEvent.case_id) == case.id)
    )
    return int(found.scalar_one() or 0)


async def accepted_on(session: AsyncSession, case: Case) -> date | None:
    found = await session.execute(
        select(col(CaseEvent.at))
        .where(col(CaseEvent.case_id) == case.id, col(CaseEvent.action) == "accept")
        .order_by(col(CaseEvent.seq))
        .limit(1)
    )
    at = found.scalar_one_or_none()
    return at.date() if at is not None else None


async def user_language(session: AsyncSession, user_id: int) -> str:
    user = await session.get(TelegramUser, user_id)
    return user.language if user is not None else "zh"


async def worker_result(session: AsyncSession, case: Case) -> Result | None:
    """The result of the case's worker in the case's cycle, if both are known."""
    if case.worker_id is None or case.cycle_id is None:
        return None
    found = await session.execute(
        select(Result).where(
            col(Result.cycle_id) == case.cycle_id, col(Result.worker_id) == case.worker_id
        )
    )
    return found.scalars().first()


# --- investigators --------------------------------------------------------------------------


async def investigator_official(
    session: AsyncSession, *, user_id: int, create: bool = True
) -> int | None:
    """The official record of a bound investigator; one is made for a binding without it,
    since a case is assigned to an official, not to a Telegram account."""
    found = await session.execute(
        select(RoleBinding).where(
            col(RoleBinding.user_id) == user_id,
            col(RoleBinding.role) == "investigator",
            col(RoleBinding.revoked_at).is_(None),
        )
    )
    binding = found.scalars().first()
    if binding is None:
        return None
    if binding.official_id is None and create:
        official = Official(name=f"#{user_id}", role="investigator")
        session.add(official)
        await session.flush()
        binding.official_id = official.id
    return binding.official_id


async def assignee_user(session: AsyncSession, case: Case) -> int | None:
    """The Telegram user of the case's assignee, if one is bound."""
    if case.assignee_id is None:
        return None
    found = await session.execute(
        select(col(RoleBinding.user_id)).where(
            col(RoleBinding.official_id) == case.assignee_id, col(RoleBinding.revoked_at).is_(None)
        )
    )
    user = found.scalars().first()
    return int(user) if user is not None else None


async def investigator_names(session: AsyncSession) -> dict[int, str]:
    """Bound investigators' names by Telegram user, where their official record has one."""
    found = await session.execute(
        select(col(RoleBinding.user_id), col(Official.name))
        .join(Official, col(Official.id) == col(RoleBinding.official_id))
        .where(col(RoleBinding.role) == "investigator", col(RoleBinding.revoked_at).is_(None))
    )
    return {int(user_id): str(name) for user_id, name in found.all()}


# --- clocks ---------------------------------------------------------------------------------


async def renewals_from(
    session: AsyncSession, *, case: Case, calendar: WorkCalendar
) -> date | None:
    """When the cycle's renewal decisions start: the unit's renewal task, else the first
    working day after the 公示 closes."""
    if case.cycle_id is None:
        return None
    if case.unit_id is not None:
        found = await session.execute(
            select(col(UnitTask.starts_on)).where(
                col(UnitTask.cycle_id) == case.cycle_id,
                col(UnitTask.unit_id) == case.unit_id,
                col(UnitTask.kind) == "renewals_signed",
            )
        )
        starts = found.scalar_one_or_none()
        if starts is not None:
            return starts
    cycle = await session.get(Cycle, case.cycle_id)
    if cycle is None or cycle.gongshi_closes_on is None:
        return None
    try:
        return calendar.add_workdays(cycle.gongshi_closes_on, 1)
    except UnknownYearError:
        return None
