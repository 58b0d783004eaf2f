"""Each worker's record over the years (六(四): the results are the basis for deployment,
rewards, training and dismissal): every result with what followed from it, the consequences a
case's handling opinion decided, and the renewal as the unit recorded it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from domain.consequences import in_order
from domain.grades import Consequence, Grade, consequences
from domain.subsidy import parse_findings, renewal_effective
from storage.models import Case, Cycle, RenewalPaper, Result, Unit, Worker


@dataclass(frozen=True)
class HistoryRow:
    """One worker's result in one year."""

    worker_id: int
    unit: str
    name: str
    id_last4: str
    year: int
    post: str
    grade: Grade
    renewed: bool  # under the rules and the cases' handling opinions
    follow_ups: tuple[Consequence, ...]
    findings: tuple[str, ...]
    case_consequences: tuple[str, ...]  # the opinion's keys (domain.consequences)
    paper: str  # renewed | not_renewed | "" (nothing recorded)
    term_starts_on: date | None
    term_ends_on: date | None
    reason: str
    status: str  # final | held | pending


async def history_rows(
    session: AsyncSession, *, basic_may_renew: bool, unit_id: int | None = None
) -> list[HistoryRow]:
    """Every result of every worker (or of one unit's workers), by unit, name, then year."""
    query = (
        select(Result, Cycle, Worker, Unit)
        .join(Cycle, col(Cycle.id) == col(Result.cycle_id))
        .join(Worker, col(Worker.id) == col(Result.worker_id))
        .join(Unit, col(Unit.id) == col(Worker.unit_id))
        .order_by(col(Unit.name), col(Worker.name), col(Worker.id), col(Cycle.year))
    )
    papers_query = select(RenewalPaper)
    if unit_id is not None:
        query = query.where(col(Worker.unit_id) == unit_id)
        papers_query = papers_query.join(
            Worker, col(Worker.id) == col(RenewalPaper.worker_id)
        ).where(col(Worker.unit_id) == unit_id)
    papers = {
        (paper.worker_id, paper.cycle_id): paper
        for paper in (await session.execute(papers_query)).scalars()
    }
    decided = await _decided_by_cases(session, unit_id=unit_id)
    rows: list[HistoryRow] = []
    last: dict[int, tuple[int, Grade]] = {}  # worker → (year, grade) of the row before
    for result, cycle, worker, unit in (await session.execute(query)).all():
        grade = Grade(result.grade)
        findings = parse_findings(result.findings or [])
        renews = renewal_effective(
            grade=grade,
            renew=result.renew,
            findings=findings,
            renewal_blocked=result.renewal_blocked,
            basic_may_renew=basic_may_renew,
        )
        before = last.get(result.worker_id)
        previous = before[1] if before is not None and before[0] == cycle.year - 1 else None
        last[result.worker_id] = (cycle.year, grade)
        paper = papers.get((result.worker_id, result.cycle_id))
        renewed = renews and (paper is None or paper.outcome == "renewed")
        rows.append(
            HistoryRow(
                worker_id=result.worker_id,
                unit=unit.name,
                name=worker.name,
                id_last4=worker.id_last4[-4:],
                year=cycle.year,
                post=result.post_title,
                grade=grade,
                renewed=renewed,
                follow_ups=consequences(
                    grade=grade,
                    renew=renewed,
                    previous_grade=previous,
                    findings=findings,
                    basic_may_renew=basic_may_renew,
                ),
                findings=tuple(sorted(findings)),
                case_consequences=decided.get((result.worker_id, result.cycle_id), ()),
                paper=paper.outcome if paper is not None else "",
                term_starts_on=paper.term_starts_on if paper is not None else None,
                term_ends_on=paper.term_ends_on if paper is not None else None,
                reason=paper.reason if paper is not None else "",
                status=result.status,
            )
        )
    return rows


async def _decided_by_cases(
    session: AsyncSession, *, unit_id: int | None
) -> dict[tuple[int, int], tuple[str, ...]]:
    """The consequences the cases' handling opinions decided, per worker and cycle, in the
    plan's order (domain.consequences)."""
    query = select(Case.worker_id, Case.cycle_id, Case.consequences).where(
        col(Case.worker_id).is_not(None),
        col(Case.cycle_id).is_not(None),
        col(Case.merged_into_id).is_(None),
    )
    if unit_id is not None:
        query = query.where(col(Case.unit_id) == unit_id)
    found: dict[tuple[int, int], list[str]] = {}
    for worker_id, cycle_id, keys in (await session.execute(query)).all():
        found.setdefault((int(worker_id), int(cycle_id)), []).extend(keys or [])
    return {key: tuple(c.key for c in in_order(keys)) for key, keys in found.items()}
