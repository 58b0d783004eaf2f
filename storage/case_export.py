"""The cases export: one row per case of a cycle (or of all cycles), for the bureau's books.

Number, ticket, when it was submitted, category, severity, the office on its route, unit,
worker (masked), state, when it was accepted and concluded, its due dates and whether it is
overdue, finding, handling opinion and the complainant's rating. Never the complainant's
identity: the query does not read ``ComplainantContact`` or who submitted the complaint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from documents.tables import csv_bytes, xlsx_bytes
from domain import cases as rules
from domain.complaints import BY_KEY, OFFICES, SEVERITY_NAMES
from domain.masking import mask_name
from messages.i18n import N_, Translator
from storage.models import Case, CaseEvent, Complaint, Cycle, Unit, Worker

TITLE_CYCLE = N_("Hotline cases of the {year} assessment")
TITLE_ALL = N_("Hotline cases, all years")
SUMMARY = N_("{count} cases: {open} open, {overdue} overdue. No complainant's identity is listed.")
YES = N_("Yes")
NO = N_("No")

COLUMNS = (
    N_("Case no."),
    N_("Ticket code"),
    N_("Submitted at"),
    N_("Kind of problem"),
    N_("Severity"),
    N_("Office in charge"),
    N_("Unit"),
    N_("Worker (masked)"),
    N_("State"),
    N_("Accepted on"),
    N_("Concluded on"),
    N_("Acceptance due"),
    N_("Conclusion due"),
    N_("Overdue"),
    N_("Finding"),
    N_("Opinion"),
    N_("Rating (1-5)"),
)
WIDTHS = (8, 10, 17, 22, 10, 26, 24, 12, 18, 12, 12, 12, 12, 8, 10, 60, 8)


class UnknownFormatError(ValueError):
    pass


@dataclass(frozen=True)
class CaseRow:
    number: int
    ticket: str
    submitted_at: datetime
    category: str
    severity: str
    route: str
    unit: str
    worker_masked: str
    state: str
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
    query = (
        select(Case, col(Complaint.ticket_code), col(Complaint.submitted_at))
        .add_columns(col(Unit.name), col(Worker.name), accepted.c.at)
        .join(Complaint, col(Complaint.id) == col(Case.complaint_id))
        .outerjoin(Unit, col(Unit.id) == col(Case.unit_id))
        .outerjoin(Worker, col(Worker.id) == col(Case.worker_id))
        .outerjoin(accepted, accepted.c.case_id == col(Case.id))
        .order_by(col(Case.id))
    )
    if cycle_id is not None:
        query = query.where(col(Case.cycle_id) == cycle_id)
    rows = []
    for case, ticket, submitted_at, unit, worker, accepted_at in (
        await session.execute(query)
    ).all():
        assert case.id is not None
        rows.append(
            CaseRow(
                number=case.id,
                ticket=ticket,
                submitted_at=submitted_at.astimezone(zone),
                category=case.category,
                severity=case.severity,
                route=case.route,
                unit=unit or "",
                worker_masked=mask_name(worker) if worker else "",
                state=case.state,
                accepted_on=accepted_at.astimezone(zone).date() if accepted_at else None,
                concluded_on=case.closed_at.astimezone(zone).date() if case.closed_at else None,
                accept_due=case.accept_due,
                conclude_due=case.conclude_due,
                overdue=is_overdue(case, today),
                finding=case.finding or "",
                opinion=case.opinion,
                rating=case.rating,
            )
        )
    return rows


def is_overdue(case: Case, today: date) -> bool:
    """Past the due day of the clock the case's state runs against (domain.cases)."""
    clock = rules.running_clock(case.state)
    due = case.accept_due if clock == "accept" else case.conclude_due if clock else None
    return due is not None and today > due


def case_table(rows: Sequence[CaseRow], t: Translator) -> list[list[str]]:
    """The header and one line per case, as the reader of the file sees them."""
    lines = [[t(column) for column in COLUMNS]]
    for row in rows:
        category = BY_KEY.get(row.category)
        lines.append(
            [
                f"#{row.number}",
                row.ticket,
                row.submitted_at.strftime("%Y-%m-%d %H:%M"),
                t(category.label) if category else row.category,
                t(SEVERITY_NAMES.get(row.severity, row.severity)),
                t(OFFICES.get(row.route, row.route)),
                row.unit,
                row.worker_masked,
                t(rules.STATE_NAMES.get(row.state, row.state)),
                _day(row.accepted_on),
                _day(row.concluded_on),
                _day(row.accept_due),
                _day(row.conclude_due),
                t(YES) if row.overdue else t(NO),
                row.finding,
                row.opinion,
                str(row.rating) if row.rating is not None else "",
            ]
        )
    return lines


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def summary(rows: Sequence[CaseRow], t: Translator) -> str:
    still_open = sum(1 for row in rows if row.state in rules.OPEN_STATES)
    overdue = sum(1 for row in rows if row.overdue)
    return t(SUMMARY, count=len(rows), open=still_open, overdue=overdue)


def cases_file(
    rows: Sequence[CaseRow], *, file_format: str, year: int | None, t: Translator
) -> bytes:
    if file_format == "csv":
        return csv_bytes(case_table(rows, t))
    if file_format == "xlsx":
        title = t(TITLE_CYCLE, year=year) if year is not None else t(TITLE_ALL)
        return xlsx_bytes(
            case_table(rows, t),
            sheet="cases",
            title=title,
            notes=[summary(rows, t)],
            widths=WIDTHS,
        )
    raise UnknownFormatError(file_format)


async def export_cases(
    *,
    session: AsyncSession,
    cycle: Cycle | None,
    file_format: str,
    now: datetime,
    language: str,
) -> bytes:
    """The file of the cycle's cases (every case when ``cycle`` is None), as xlsx or csv;
    ``now`` comes from the clock and sets both "overdue" and the time zone of the dates."""
    zone = now.tzinfo
    assert zone is not None, "now must be aware: use the injected clock"
    rows = await case_rows(
        session=session,
        cycle_id=cycle.id if cycle is not None else None,
        today=now.date(),
        zone=zone,
    )
    year = cycle.year if cycle is not None else None
    return cases_file(rows, file_format=file_format, year=year, t=Translator(language))
