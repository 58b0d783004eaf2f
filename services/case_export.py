"""The cases export as a file: one row per case of a cycle (or of all cycles), for the
bureau's books, as XLSX or CSV; the rows come from storage.case_export and never name the
complainant. The chat's menu and ``gongshi export cases`` both make it here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from documents.tables import csv_bytes, xlsx_bytes
from domain import cases as rules
from domain import objections
from domain.complaints import BY_KEY, OFFICES, SEVERITY_NAMES
from domain.desk_intake import CHANNEL_NAMES
from messages.i18n import N_, Translator
from messages.style import file_name
from storage.case_export import CaseRow, case_rows
from storage.models import Cycle

TITLE_CYCLE = N_("Hotline cases of the {year} assessment")
TITLE_ALL = N_("Hotline cases, all years")
SUMMARY = N_("{count} cases: {open} open, {overdue} overdue. No complainant's identity is listed.")
YES = N_("Yes")
NO = N_("No")

COLUMNS = (
    N_("Case no."),
    N_("Ticket code"),
    N_("Submitted at"),
    N_("Channel"),
    N_("Kind of problem"),
    N_("Severity"),
    N_("Office in charge"),
    N_("Unit"),
    N_("Worker (masked)"),
    N_("State"),
    N_("Returned (times)"),
    N_("Accepted on"),
    N_("Concluded on"),
    N_("Acceptance due"),
    N_("Conclusion due"),
    N_("Overdue"),
    N_("Finding"),
    N_("Opinion"),
    N_("Rating (1-5)"),
)
WIDTHS = (8, 10, 17, 8, 22, 10, 26, 24, 12, 18, 8, 12, 12, 12, 12, 8, 10, 60, 8)


class UnknownFormatError(ValueError):
    pass


def case_table(rows: Sequence[CaseRow], t: Translator) -> list[list[str]]:
    """The header and one line per case, as the reader of the file sees them."""
    lines = [[t(column) for column in COLUMNS]]
    for row in rows:
        category = BY_KEY.get(row.category)
        objection = row.category == objections.KIND
        named = t(category.label) if category else t(objections.NAME) if objection else row.category
        lines.append(
            [
                f"#{row.number}",
                row.ticket,
                row.submitted_at.strftime("%Y-%m-%d %H:%M"),
                t(CHANNEL_NAMES.get(row.channel, row.channel)),
                named,
                t(SEVERITY_NAMES.get(row.severity, row.severity)),
                t(OFFICES.get(row.route, row.route)),
                row.unit,
                row.worker_masked,
                t(rules.STATE_NAMES.get(row.state, row.state)),
                str(row.returns),
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


# The file's and its sheet's name: 案件台账_2026.xlsx, cases-2026.xlsx.
CASES_FILE = N_("cases")


def cases_file_name(t: Translator, *, year: int | None, file_format: str) -> str:
    return file_name(t, CASES_FILE, file_format, *([year] if year is not None else []))


def cases_file(
    rows: Sequence[CaseRow], *, file_format: str, year: int | None, t: Translator
) -> bytes:
    if file_format == "csv":
        return csv_bytes(case_table(rows, t))
    if file_format == "xlsx":
        title = t(TITLE_CYCLE, year=year) if year is not None else t(TITLE_ALL)
        return xlsx_bytes(
            case_table(rows, t),
            sheet=t(CASES_FILE),
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
