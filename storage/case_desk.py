"""The officials' queues and the case card: which cases each role sees, with the filters
open, overdue, mine and all (SPEC.md §3; the buttons' keys in messages.callbacks_cases)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import cases as rules
from storage.cases import Actor
from storage.models import Case, CaseEvent, Complaint, EvidenceFile, RoleBinding, Unit, Worker

PAGE_SIZE = 8


def _scope(actor: Actor, official_id: int | None) -> Any:
    """The cases a role sees at all."""
    if actor.role == "investigator":
        return and_(
            col(Case.route) == "investigators",
            or_(col(Case.assignee_id).is_(None), col(Case.assignee_id) == official_id),
        )
    if actor.role == "unit":
        return and_(col(Case.route) == "unit", col(Case.unit_id) == actor.unit_id)
    if actor.role in ("bureau", "admin"):
        return col(Case.id).is_not(None)
    return col(Case.id).is_(None)


def _filtered(filter_name: str, today: date, official_id: int | None) -> Any:
    open_states = col(Case.state).in_(sorted(rules.OPEN_STATES))
    if filter_name == "overdue":
        return overdue_where(today)
    if filter_name == "mine":
        return and_(open_states, col(Case.assignee_id) == official_id)
    if filter_name == "all":
        return col(Case.id).is_not(None)
    return open_states


def overdue_where(today: date) -> Any:
    """``domain.cases.is_overdue`` as SQL: past the due day of the clock the state runs."""
    due_columns = {"accept": col(Case.accept_due), "conclude": col(Case.conclude_due)}
    return or_(
        *(
            and_(col(Case.state).in_(sorted(states)), due_columns[kind] < today)
            for kind, states in rules.CLOCK_STATES.items()
        )
    )


async def _own_official(session: AsyncSession, actor: Actor) -> int | None:
    if actor.official_id is not None or actor.user_id is None:
        return actor.official_id
    found = await session.execute(
        select(col(RoleBinding.official_id)).where(
            col(RoleBinding.user_id) == actor.user_id,
            col(RoleBinding.role) == actor.role,
            col(RoleBinding.revoked_at).is_(None),
        )
    )
    official = found.scalars().first()
    return int(official) if official is not None else None


async def queue(
    session: AsyncSession, *, actor: Actor, filter_name: str, today: date, page: int = 0
) -> tuple[list[Case], int]:
    """One page of the role's queue (oldest first) and how many cases the filter holds."""
    official_id = await _own_official(session, actor)
    where = and_(_scope(actor, official_id), _filtered(filter_name, today, official_id))
    total = int(
        (await session.execute(select(func.count()).select_from(Case).where(where))).scalar_one()
    )
    found = await session.execute(
        select(Case).where(where).order_by(col(Case.id)).offset(page * PAGE_SIZE).limit(PAGE_SIZE)
    )
    return list(found.scalars()), total


async def may_see(session: AsyncSession, *, case: Case, actor: Actor) -> bool:
    official_id = await _own_official(session, actor)
    found = await session.execute(
        select(col(Case.id)).where(col(Case.id) == case.id, _scope(actor, official_id))
    )
    return found.first() is not None


@dataclass(frozen=True)
class Card:
    case: Case
    complaint: Complaint
    evidence: Sequence[EvidenceFile]
    history: Sequence[CaseEvent]
    unit_name: str
    worker_name: str | None


async def card(session: AsyncSession, case_id: int) -> Card | None:
    case = await session.get(Case, case_id)
    if case is None:
        return None
    complaint = await session.get(Complaint, case.complaint_id)
    assert complaint is not None
    evidence = await session.execute(
        select(EvidenceFile)
        .where(col(EvidenceFile.complaint_id) == case.complaint_id)
        .order_by(col(EvidenceFile.id))
    )
    history = await session.execute(
        select(CaseEvent).where(col(CaseEvent.case_id) == case.id).order_by(col(CaseEvent.seq))
    )
    unit = await session.get(Unit, case.unit_id) if case.unit_id else None
    worker = await session.get(Worker, case.worker_id) if case.worker_id else None
    return Card(
        case,
        complaint,
        list(evidence.scalars()),
        list(history.scalars()),
        unit.name if unit else "?",
        worker.name if worker else None,
    )
