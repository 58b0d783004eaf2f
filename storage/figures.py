"""The cases as domain.figures reads them: one plain record per complaint received in a span of
days, its moments in the county's time, from the case rows and their history.

A complaint's channel is its ``channel`` column where the complaint has one, else chat. A
merged complaint is attributed to the case its chain of merges ended in (storage.merged; its
unit and office) and counts as closed once that case is closed. Appeals are added by the
caller (storage.appeals).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import dispatch
from domain.figures import DEFAULT_CHANNEL, CaseRecord
from storage.merged import final_ids
from storage.models import Case, CaseEvent, Complaint, Unit

EVENTS = sorted({"accept", "reject", "record_finding"} | dispatch.DISPATCHES | {dispatch.RETURN})


async def case_records(
    session: AsyncSession,
    *,
    first: date,
    last: date,
    zone: tzinfo,
    now: datetime,
) -> list[CaseRecord]:
    """The complaints received from ``first`` to ``last`` (local days), oldest first."""
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    found = await session.execute(
        select(Case, Complaint)
        .join(Complaint, col(Complaint.id) == col(Case.complaint_id))
        .where(col(Complaint.submitted_at) >= start, col(Complaint.submitted_at) < end)
        .order_by(col(Case.id))
    )
    pairs = list(found.all())
    if not pairs:
        return []
    cases = {case.id: case for case, _ in pairs}
    merged = [c.id for c in cases.values() if c.merged_into_id is not None and c.id is not None]
    ended_in = await final_ids(session, merged)
    missing = [t for t in set(ended_in.values()) if t not in cases]
    if missing:
        more = await session.execute(select(Case).where(col(Case.id).in_(missing)))
        cases.update({c.id: c for c in more.scalars()})
    names = dict((await session.execute(select(col(Unit.id), col(Unit.name)))).all())
    history = await _history(session, [case.id for case, _ in pairs if case.id is not None])
    records = []
    for case, complaint in pairs:
        assert case.id is not None
        owner = cases.get(ended_in.get(case.id, case.id)) or case
        moves = history.get(case.id, [])
        bounce = dispatch.bouncing([dispatch.Move(a, at) for a, at in moves], now=now)

        def first_of(*actions: str, moves: list[tuple[str, datetime]] = moves) -> datetime | None:
            return next((at.astimezone(zone) for a, at in moves if a in actions), None)

        records.append(
            CaseRecord(
                case_id=case.id,
                unit=names.get(owner.unit_id, "—") if owner.unit_id is not None else "—",
                office=owner.route,
                category=case.category,
                received_at=complaint.submitted_at.astimezone(zone),
                state=case.state,
                channel=str(getattr(complaint, "channel", "") or DEFAULT_CHANNEL),
                accept_due=case.accept_due,
                conclude_due=case.conclude_due,
                responded_at=first_of("accept", "reject"),
                accepted_at=first_of("accept"),
                concluded_at=first_of("record_finding"),
                closed=owner.state == "closed",
                finding=case.finding,
                acted_upon=acted_upon(case),
                rating=case.rating,
                merged=case.merged_into_id is not None,
                returns=bounce.returns,
                bouncing=bounce.time,
            )
        )
    return records


async def _history(
    session: AsyncSession, case_ids: list[int]
) -> dict[int, list[tuple[str, datetime]]]:
    found = await session.execute(
        select(col(CaseEvent.case_id), col(CaseEvent.action), col(CaseEvent.at))
        .where(col(CaseEvent.case_id).in_(case_ids), col(CaseEvent.action).in_(EVENTS))
        .order_by(col(CaseEvent.case_id), col(CaseEvent.seq))
    )
    history: dict[int, list[tuple[str, datetime]]] = {}
    for case_id, action, at in found.all():
        history.setdefault(int(case_id), []).append((str(action), at))
    return history


def acted_upon(case: Case) -> bool:
    """A substantiated finding acted upon: a serious case's handling opinion decided a
    consequence (domain.consequences); another case's opinion is itself the action."""
    if case.severity == "serious":
        return bool(case.consequences)
    return bool(case.opinion.strip())
