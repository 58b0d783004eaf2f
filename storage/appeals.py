"""The appeals of a case (复查, 复核) as the use cases read them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.appeals import SHORT_NAMES, Earlier
from domain.figures import Appeal
from storage.models import CaseAppeal, CaseEvent


async def appeals_of(session: AsyncSession, case_id: int) -> list[CaseAppeal]:
    found = await session.execute(
        select(CaseAppeal).where(col(CaseAppeal.case_id) == case_id).order_by(col(CaseAppeal.id))
    )
    return list(found.scalars())


def earlier(appeals: Sequence[CaseAppeal], zone: tzinfo | None) -> list[Earlier]:
    return [
        Earlier(
            level=a.level,
            requested_on=a.requested_at.astimezone(zone).date(),
            answered_on=a.answered_at.astimezone(zone).date() if a.answered_at else None,
            outcome=a.outcome,
        )
        for a in appeals
    ]


async def appeal_for_answer(session: AsyncSession, appeal_id: int) -> CaseAppeal | None:
    """The appeal, locked on PostgreSQL: two answers pressed at once take turns."""
    found = await session.execute(
        select(CaseAppeal).where(col(CaseAppeal.id) == appeal_id).with_for_update()
    )
    return found.scalars().first()


async def pending_appeals(session: AsyncSession) -> list[CaseAppeal]:
    found = await session.execute(
        select(CaseAppeal).where(col(CaseAppeal.answered_at).is_(None)).order_by(col(CaseAppeal.id))
    )
    return list(found.scalars())


async def replied_at_event(session: AsyncSession, case_id: int) -> CaseEvent | None:
    """The case's last closing: the written reply the first appeal counts from."""
    found = await session.execute(
        select(CaseEvent)
        .where(col(CaseEvent.case_id) == case_id, col(CaseEvent.action) == "close")
        .order_by(col(CaseEvent.seq).desc())
        .limit(1)
    )
    return found.scalars().first()


async def appeals_for_figures(
    session: AsyncSession, case_ids: Sequence[int]
) -> dict[int, tuple[Appeal, ...]]:
    """The appeals of the cases, as domain.figures counts them: level and outcome."""
    if not case_ids:
        return {}
    found = await session.execute(
        select(CaseAppeal)
        .where(col(CaseAppeal.case_id).in_(list(case_ids)))
        .order_by(col(CaseAppeal.id))
    )
    appeals: dict[int, tuple[Appeal, ...]] = {}
    for row in found.scalars():
        shown = Appeal(SHORT_NAMES[row.level], SHORT_NAMES.get(row.outcome or "", ""))
        appeals[row.case_id] = (*appeals.get(row.case_id, ()), shown)
    return appeals
