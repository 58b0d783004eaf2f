"""The cases export's rows: one per case of a cycle (or of all cycles), for the bureau's books
(services.case_export makes the file).

Number, ticket, when it was submitted and by which channel (chat, or the desk's call, letter or
visit), category, severity, the office on its route, unit, worker (masked), state, how many
times an office returned it (退单), when it was accepted and concluded, its due dates and whether
it is overdue, finding, handling opinion and the complainant's rating. Never the complainant's
identity: the query does not read ``ComplainantContact`` or who submitted the complaint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import cases as rules
from domain.masking import mask_name
from domain.objections import KIND as OBJECTION
from storage.models import Case, CaseEvent, Complaint, Unit, Worker


@dataclass(frozen=True)
class CaseRow:
    number: int
    ticket: str
    submitted_at: datetime
    channel: str
    category: str
    severity: str
    route: str
    unit: str
    worker_masked: str
    state: str
    returns: int
    accepted_on: date | None
    concluded_on: date | None
    accept_due: date | None
    conclude_due: date | None
    overdue: bool
    finding: str
    opinion: str
    rating: int | None


async def case_rows(
    *, session: AsyncSession, cycle_id: int | None, today: date, zone: tzinfo
) -> list[CaseRow]:
    """The cases of the cycle (all cases when None), oldest first; dates in ``zone``."""
    accepted = (
        select(col(CaseEvent.case_id), func.min(col(CaseEvent.at)).label("at"))
        .where(col(CaseEvent.action) == "accept")
        .group_by(col(CaseEvent.case_id))
        .subquery()
    )
    returned = (
        select(col(CaseEvent.case_id), func.count().label("n"))
        .where(col(CaseEvent.action) == "return")
        .group_by(col(CaseEvent.case_id))
        .subquery()
    )
    query = (
        select(Case, col(Complaint.ticket_code), col(Complaint.submitted_at), col(Complaint.kind))
        .add_columns(col(Complaint.channel), col(Unit.name), col(Worker.name), accepted.c.at)
        .add_columns(func.coalesce(returned.c.n, 0))
        .join(Complaint, col(Complaint.id) == col(Case.complaint_id))
        .outerjoin(Unit, col(Unit.id) == col(Case.unit_id))
        .outerjoin(Worker, col(Worker.id) == col(Case.worker_id))
        .outerjoin(accepted, accepted.c.case_id == col(Case.id))
        .outerjoin(returned, returned.c.case_id == col(Case.id))
        .order_by(col(Case.id))
    )
    if cycle_id is not None:
        query = query.where(col(Case.cycle_id) == cycle_id)
    rows = []
    for case, ticket, submitted_at, kind, channel, unit, worker, accepted_at, returns in (
        await session.execute(query)
    ).all():
        assert case.id is not None
        rows.append(
            CaseRow(
                number=case.id,
                ticket=ticket,
                submitted_at=submitted_at.astimezone(zone),
                channel=channel,
                # A worker's objection is listed as one, not under the category it is filed in.
                category=kind if kind == OBJECTION else case.category,
                severity=case.severity,
                route=case.route,
                unit=unit or "",
                worker_masked=mask_name(worker) if worker else "",
                state=case.state,
                returns=int(returns),
                accepted_on=accepted_at.astimezone(zone).date() if accepted_at else None,
                concluded_on=case.closed_at.astimezone(zone).date() if case.closed_at else None,
                accept_due=case.accept_due,
                conclude_due=case.conclude_due,
                overdue=rules.is_overdue(
                    state=case.state,
                    accept_due=case.accept_due,
                    conclude_due=case.conclude_due,
                    today=today,
                ),
                finding=case.finding or "",
                opinion=case.opinion,
                rating=case.rating,
            )
        )
    return rows
