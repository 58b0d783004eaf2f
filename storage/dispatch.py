"""A case's routing moves as domain.dispatch reads them: filing, returns (退单) and the bureau's
decisions (审定), from the case's history."""

from __future__ import annotations

from datetime import date, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import dispatch
from storage.models import Case, CaseEvent

ROUTING = sorted(dispatch.DISPATCHES | {dispatch.RETURN})


async def moves(session: AsyncSession, case_id: int) -> list[dispatch.Move]:
    found = await session.execute(
        select(col(CaseEvent.action), col(CaseEvent.at))
        .where(col(CaseEvent.case_id) == case_id, col(CaseEvent.action).in_(ROUTING))
        .order_by(col(CaseEvent.seq))
    )
    return [dispatch.Move(str(action), at) for action, at in found.all()]


async def dispatched_on(session: AsyncSession, case: Case, *, zone: tzinfo | None) -> date | None:
    """The day, in ``zone``, the case was last routed to an office (its clocks' start)."""
    if case.id is None:
        return None
    at = dispatch.dispatched_at(await moves(session, case.id))
    return at.astimezone(zone).date() if at is not None else None
