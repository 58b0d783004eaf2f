"""A worker's objection (申辩) as tables: its own row beside the complaint and the case, the
result it is about, and which cases are objections (services.objections takes the steps)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import (
    Case,
    CaseEvent,
    Complaint,
    EvidenceFile,
    Objection,
    Result,
    Unit,
    Worker,
)


@dataclass(frozen=True)
class ObjectionFile:
    """An objection with everything its card and its steps read."""

    objection: Objection
    case: Case
    complaint: Complaint
    worker_name: str
    unit_name: str
    result: Result | None
    history: Sequence[CaseEvent] = ()
    evidence: Sequence[EvidenceFile] = ()


async def of_case(session: AsyncSession, case_id: int) -> Objection | None:
    found = await session.execute(select(Objection).where(col(Objection.case_id) == case_id))
    return found.scalars().first()


async def is_objection(session: AsyncSession, case_id: int) -> bool:
    return await of_case(session, case_id) is not None


async def objection_cases(session: AsyncSession, case_ids: Sequence[int]) -> set[int]:
    """Which of ``case_ids`` are objections."""
    if not case_ids:
        return set()
    found = await session.execute(
        select(col(Objection.case_id)).where(col(Objection.case_id).in_(list(case_ids)))
    )
    return {int(i) for i in found.scalars()}


async def load(session: AsyncSession, case_id: int) -> ObjectionFile | None:
    objection = await of_case(session, case_id)
    case = await session.get(Case, case_id)
    if objection is None or case is None:
        return None
    complaint = await session.get(Complaint, case.complaint_id)
    assert complaint is not None
    worker = await session.get(Worker, case.worker_id) if case.worker_id else None
    unit = await session.get(Unit, case.unit_id) if case.unit_id else None
    result = await session.get(Result, objection.result_id) if objection.result_id else None
    history = await session.execute(
        select(CaseEvent).where(col(CaseEvent.case_id) == case_id).order_by(col(CaseEvent.seq))
    )
    evidence = await session.execute(
        select(EvidenceFile)
        .where(col(EvidenceFile.complaint_id) == complaint.id)
        .order_by(col(EvidenceFile.id))
    )
    return ObjectionFile(
        objection,
        case,
        complaint,
        worker.name if worker else "?",
        unit.name if unit else "?",
        result,
        list(history.scalars()),
        list(evidence.scalars()),
    )


async def result_of(session: AsyncSession, *, worker_id: int, cycle_id: int) -> Result | None:
    found = await session.execute(
        select(Result).where(col(Result.worker_id) == worker_id, col(Result.cycle_id) == cycle_id)
    )
    return found.scalars().first()


async def awaiting_statement(session: AsyncSession, unit_id: int) -> list[tuple[int, str, str]]:
    """The unit's objections waiting for its statement: (case id, worker's name, post), oldest
    first."""
    found = await session.execute(
        select(col(Case.id), col(Worker.name), col(Result.post_title))
        .join(Objection, col(Objection.case_id) == col(Case.id))
        .outerjoin(Worker, col(Worker.id) == col(Case.worker_id))
        .outerjoin(Result, col(Result.id) == col(Objection.result_id))
        .where(col(Case.unit_id) == unit_id, col(Case.state) == "accepted")
        .order_by(col(Case.id))
    )
    return [(int(i or 0), str(n or "?"), str(p or "—")) for i, n, p in found.all()]
