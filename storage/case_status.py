"""A ticket code's case as its complainant follows it (/status): its state and its public history.
A case merged into another (并单) shows the one its chain of merges ended in, since that is where
the work happens (through a case merged in turn, the last one); the appeals there are its own
complainant's and stay out, and this complainant's own appeals, made on the case they filed
(services.appeals), come in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.merged import concluded_case
from storage.models import Case, CaseEvent, Complaint

APPEAL_EVENTS = ("appeal", "appeal_answered")


@dataclass(frozen=True)
class Status:
    case: Case  # where the work happens: the code's case, or the one it was merged into
    history: list[CaseEvent]
    own: Case  # the code's case: the one its complainant rates and appeals through


async def status_by_code(session: AsyncSession, code: str) -> Status | None:
    found = await session.execute(
        select(Case)
        .join(Complaint, col(Complaint.id) == col(Case.complaint_id))
        .where(col(Complaint.ticket_code) == code)
    )
    own = found.scalars().first()
    if own is None:
        return None
    case = await concluded_case(session, own)
    public = col(CaseEvent.public).is_(True)
    if case is own:
        query = select(CaseEvent).where(col(CaseEvent.case_id) == case.id, public)
        events = await session.execute(query.order_by(col(CaseEvent.seq)))
        return Status(case, list(events.scalars()), own)
    appeals = col(CaseEvent.action).in_(APPEAL_EVENTS)
    query = select(CaseEvent).where(
        public,
        or_(
            and_(col(CaseEvent.case_id) == case.id, ~appeals),
            and_(col(CaseEvent.case_id) == own.id, appeals),
        ),
    )
    events = await session.execute(query.order_by(col(CaseEvent.at), col(CaseEvent.id)))
    return Status(case, list(events.scalars()), own)
