"""The cases merged into a case (并单), with their complaints: their complainants hear the
desk's replies and the closing of the case they joined, and rate it."""

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
