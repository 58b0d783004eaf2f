"""The subsidy list of a closed cycle: one row per worker with a result in it.

Each row carries the worker's name and only the last 4 characters of the ID number (the
clear number is never stored), the post, the final grade, the renewal as it stands under the
rules, the result's status, and the subsidy decision of ``domain.subsidy`` with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from domain.grades import Grade, parse_grade
from domain.subsidy import (
    Agreement,
    SubsidyStatus,
    parse_findings,
    renewal_effective,
    subsidy_decision,
)
from storage.models import Cycle, RenewalPaper, Result, Unit, Verification, Worker
from storage.verification import ABSENT_REASON


@dataclass(frozen=True)
class SubsidyRow:
    unit: str
    name: str
    id_last4: str
    post: str
    grade: Grade
    renewed: bool
    result_status: str  # final | held | pending
    subsidy: SubsidyStatus
    reason: str  # message id
    # The renewed agreement as signed (storage.models.RenewalPaper), once it is.
    term_starts_on: date | None = None
    term_ends_on: date | None = None


async def cycle_by_year(session: AsyncSession, year: int) -> Cycle | None:
    found: Cycle | None = (
        await session.execute(select(Cycle).where(col(Cycle.year) == year))
    ).scalar_one_or_none()
    return found


async def subsidy_rows(
    session: AsyncSession, cycle: Cycle, *, basic_may_renew: bool = True
) -> Sequence[SubsidyRow]:
    """Every worker with a result in ``cycle``, ordered by unit, then name, decided under the
    county's reading of 六(一) (``basic_may_renew``, from ``domain.renewal.RenewalSettings``)."""
    absent = set(
        (
            await session.execute(
                select(Verification.worker_id).where(
                    col(Verification.cycle_id) == cycle.id,
                    col(Verification.present).is_(False),
                    col(Verification.excuse) == "",  # excused: not a vacancy
                )
            )
        ).scalars()
    )
    previous: dict[int, str] = {}
    last_year = await cycle_by_year(session, cycle.year - 1)
    if last_year is not None:
        previous = {
            worker_id: grade
            for worker_id, grade in (
                await session.execute(
                    select(Result.worker_id, Result.grade).where(
                        col(Result.cycle_id) == last_year.id
                    )
                )
            )
        }
    # What the units recorded once the 公示 closed: before that there is no paperwork to read.
    papers: dict[int, RenewalPaper] | None = None
    if cycle.state == "closed":
        papers = {
            paper.worker_id: paper
            for paper in (
                await session.execute(
                    select(RenewalPaper).where(col(RenewalPaper.cycle_id) == cycle.id)
                )
            ).scalars()
        }
    query = (
        select(Result, Worker, Unit)
        .join(Worker, col(Worker.id) == col(Result.worker_id))
        .join(Unit, col(Unit.id) == col(Result.unit_id))
        .where(col(Result.cycle_id) == cycle.id)
        .order_by(col(Unit.name), col(Worker.name), col(Worker.id))
    )
    rows: list[SubsidyRow] = []
    for result, worker, unit in (await session.execute(query)).all():
        grade = parse_grade(result.grade)
        findings = parse_findings(result.findings or [])
        before = previous.get(result.worker_id)
        paper = papers.get(result.worker_id) if papers is not None else None
        agreement = None
        if papers is not None:
            agreement = Agreement(paper.outcome) if paper is not None else Agreement.UNSIGNED
        status, reason = subsidy_decision(
            grade=grade,
            renew=result.renew,
            findings=findings,
            absent_at_verification=(
                result.worker_id in absent or worker.removed_reason == ABSENT_REASON
            ),
            held=result.status == "held",
            previous_grade=parse_grade(before) if before else None,
            renewal_blocked=result.renewal_blocked,
            subsidy_stopped=result.subsidy_stopped,
            basic_may_renew=basic_may_renew,
            agreement=agreement,
        )
        signed = paper is not None and paper.outcome == Agreement.SIGNED
        rows.append(
            SubsidyRow(
                unit=unit.name,
                name=worker.name,
                id_last4=worker.id_last4[-4:],
                post=result.post_title,
                grade=grade,
                renewed=agreement is not Agreement.NOT_RENEWED
                and renewal_effective(
                    grade=grade,
                    renew=result.renew,
                    findings=findings,
                    renewal_blocked=result.renewal_blocked,
                    basic_may_renew=basic_may_renew,
                ),
                result_status=result.status,
                subsidy=status,
                reason=reason,
                term_starts_on=paper.term_starts_on if paper is not None and signed else None,
                term_ends_on=paper.term_ends_on if paper is not None and signed else None,
            )
        )
    return rows
