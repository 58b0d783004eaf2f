"""The cases merged into a case (并单), with their complaints: their complainants hear the
desk's replies and the closing of the case they joined, rate it, and may appeal its written
reply (services.appeals)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Case, Complaint


async def merged_cases(session: AsyncSession, case: Case) -> list[tuple[Case, Complaint]]:
    found = await session.execute(
        select(Case, Complaint)
        .join(Complaint, col(Complaint.id) == col(Case.complaint_id))
        .where(col(Case.merged_into_id) == case.id)
        .order_by(col(Case.id))
    )
    return [(merged, complaint) for merged, complaint in found.all()]


async def concluded_case(session: AsyncSession, case: Case) -> Case:
    """The case whose written reply concerns ``case``'s complainant: ``case`` itself, or the
    case it was merged into, where the work was done and the reply written."""
    if case.state != "merged" or case.merged_into_id is None:
        return case
    return await session.get(Case, case.merged_into_id) or case
