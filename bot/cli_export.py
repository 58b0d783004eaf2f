"""`gongshi export subsidy` and `gongshi export cases`.

`subsidy`: the list the bureau pays the post and social-insurance subsidies by.

After the 公示 closes, one row per worker with a result in the cycle: unit, name, the last 4
characters of the ID number (the clear number is never stored), post, final grade, renewal,
the result's status, and whether the subsidies continue, stop, end or wait, with the reason.
CSV is written in UTF-8 with a BOM so that Chinese Excel opens it correctly.

`cases`: the hotline cases of a cycle, one row per case, never the complainant's identity
(services/case_export.py, which the bureau's chat menu uses too).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path

import typer

from bot.runtime_context import (
    CommandError,
    fail,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from documents.tables import csv_bytes, xlsx_bytes
from domain.clock import SystemClock
from domain.renewal import RenewalSettings
from domain.subsidy import SubsidyStatus
from messages.i18n import N_, Translator
from messages.style import date_text, file_name
from services.case_export import cases_file, cases_file_name
from services.case_export import summary as case_summary
from storage.case_export import CaseRow, case_rows
from storage.subsidy import SubsidyRow, cycle_by_year, subsidy_rows

export_app = typer.Typer(help="导出 / exports.", no_args_is_help=True)

FORMATS = ("xlsx", "csv")

UNKNOWN_CYCLE = N_("Unknown cycle {year}: no assessment cycle for that year.")
NOT_CLOSED = N_("公示 of {year} has not closed: results are not final.")
BAD_FORMAT = N_("Unknown format {format}: choose xlsx or csv.")
EXPORT_WRITTEN = N_("{count} workers of cycle {year} written to {path}.")
SHEET_TITLE = N_("Subsidies after the {year} assessment")
SUMMARY = N_("Continue: {kept}; stop: {stopped}; end: {ended}; pending: {pending}.")

COLUMN_UNIT = N_("Unit")
COLUMN_NAME = N_("Name")
COLUMN_ID_LAST4 = N_("ID number (last 4)")
COLUMN_POST = N_("Post")
COLUMN_GRADE = N_("Grade")
COLUMN_RENEWAL = N_("Renewal")
COLUMN_RESULT_STATUS = N_("Result status")
COLUMN_SUBSIDY = N_("Subsidies")
COLUMN_REASON = N_("Reason")
COLUMN_TERM = N_("Agreement signed for")
COLUMNS = (
    COLUMN_UNIT,
    COLUMN_NAME,
    COLUMN_ID_LAST4,
    COLUMN_POST,
    COLUMN_GRADE,
    COLUMN_RENEWAL,
    COLUMN_RESULT_STATUS,
    COLUMN_SUBSIDY,
    COLUMN_REASON,
    COLUMN_TERM,
)

TERM = N_("{start} to {end}")
RENEWED = N_("Renewed")
NOT_RENEWED = N_("Not renewed")
RESULT_STATUS = {
    "final": N_("Final"),
    "held": N_("Held: a serious case is open"),
    "pending": N_("Pending"),
}
SUBSIDY_STATUS = {
    SubsidyStatus.CONTINUE: N_("Subsidies continue"),
    SubsidyStatus.STOP: N_("Subsidies stop"),
    SubsidyStatus.END: N_("Subsidies end"),
    SubsidyStatus.PENDING: N_("Subsidies wait"),
}


def masked_id(last4: str) -> str:
    """The last 4 as text Excel keeps as it is (no lost leading zero), never more."""
    return f"****{last4[-4:]}"


def table(rows: Sequence[SubsidyRow], t: Translator) -> list[list[str]]:
    """The header and one line per worker, as the person reading the file sees them."""
    lines = [[t(column) for column in COLUMNS]]
    for row in rows:
        status = RESULT_STATUS.get(row.result_status)
        lines.append(
            [
                row.unit,
                row.name,
                masked_id(row.id_last4),
                row.post,
                row.grade.value,
                t(RENEWED) if row.renewed else t(NOT_RENEWED),
                t(status) if status else row.result_status,
                t(SUBSIDY_STATUS[row.subsidy]),
                t(row.reason),
                term_text(row, t),
            ]
        )
    return lines


def term_text(row: SubsidyRow, t: Translator) -> str:
    """The signed agreement's term, or nothing when none is signed."""
    if row.term_starts_on is None or row.term_ends_on is None:
        return ""
    return t(TERM, start=date_text(t, row.term_starts_on), end=date_text(t, row.term_ends_on))


def summary(rows: Sequence[SubsidyRow], t: Translator) -> str:
    counts = Counter(row.subsidy for row in rows)
    return t(
        SUMMARY,
        kept=counts[SubsidyStatus.CONTINUE],
        stopped=counts[SubsidyStatus.STOP],
        ended=counts[SubsidyStatus.END],
        pending=counts[SubsidyStatus.PENDING],
    )


# The file's and its sheet's name: 补贴名单_2026.xlsx, subsidy-2026.xlsx.
SUBSIDY_FILE = N_("subsidy")


def subsidy_csv(rows: Sequence[SubsidyRow], t: Translator) -> bytes:
    """The table alone: what Chinese Excel opens cleanly."""
    return csv_bytes(table(rows, t))


def subsidy_xlsx(rows: Sequence[SubsidyRow], *, year: int, t: Translator) -> bytes:
    """A title, the summary of counts, then the table from row 4."""
    return xlsx_bytes(
        table(rows, t),
        sheet=t(SUBSIDY_FILE),
        title=t(SHEET_TITLE, year=year),
        notes=[summary(rows, t)],
        widths=[24, *[12] * 7, 60, 28],
    )


@export_app.command("subsidy")
def subsidy(
    cycle: int = typer.Option(..., "--cycle", help="考核年度 / the assessment year"),
    output_format: str = typer.Option("xlsx", "--format", help="xlsx | csv"),
    output: Path | None = typer.Option(None, "--output", "-o", help="文件 / file to write"),
) -> None:
    """导出补贴发放名单 / List each worker's result and whether the subsidies go on."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    if output_format not in FORMATS:
        fail(t(BAD_FORMAT, format=output_format), 2)

    async def go() -> Sequence[SubsidyRow]:
        async with open_storage(settings) as storage, storage.sessions() as session:
            found = await cycle_by_year(session, cycle)
            if found is None:
                raise CommandError(t(UNKNOWN_CYCLE, year=cycle), 1)
            if found.state != "closed":
                raise CommandError(t(NOT_CLOSED, year=cycle), 1)
            return await subsidy_rows(
                session,
                found,
                basic_may_renew=RenewalSettings.from_settings(settings).basic_may_renew,
            )

    rows = run_async(go())
    path = output or Path(file_name(t, SUBSIDY_FILE, output_format, cycle))
    if output_format == "csv":
        path.write_bytes(subsidy_csv(rows, t))
    else:
        path.write_bytes(subsidy_xlsx(rows, year=cycle, t=t))
    typer.echo(t(EXPORT_WRITTEN, count=len(rows), year=cycle, path=str(path)))
    typer.echo(summary(rows, t))


CASES_WRITTEN = N_("{count} cases written to {path}.")


@export_app.command("cases")
def cases(
    cycle: int | None = typer.Option(
        None, "--cycle", help="考核年度，省略则导出全部 / the assessment year; omit for all cases"
    ),
    output_format: str = typer.Option("xlsx", "--format", help="xlsx | csv"),
    output: Path | None = typer.Option(None, "--output", "-o", help="文件 / file to write"),
) -> None:
    """导出投诉案件台账（不含反映人信息）/ List every case, without the complainants' identity."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    clock = SystemClock(settings.timezone)
    if output_format not in FORMATS:
        fail(t(BAD_FORMAT, format=output_format), 2)

    async def go() -> list[CaseRow]:
        async with open_storage(settings) as storage, storage.sessions() as session:
            await require_newest_schema(storage.engine, t)
            found = None
            if cycle is not None:
                found = await cycle_by_year(session, cycle)
                if found is None:
                    raise CommandError(t(UNKNOWN_CYCLE, year=cycle), 1)
            now = clock.now()
            return await case_rows(
                session=session,
                cycle_id=found.id if found is not None else None,
                today=now.date(),
                zone=now.tzinfo or UTC,
            )

    rows = run_async(go())
    path = output or Path(cases_file_name(t, year=cycle, file_format=output_format))
    path.write_bytes(cases_file(rows, file_format=output_format, year=cycle, t=t))
    typer.echo(t(CASES_WRITTEN, count=len(rows), path=str(path)))
    typer.echo(case_summary(rows, t))
