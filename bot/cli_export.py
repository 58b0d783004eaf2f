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
from domain.clock import SystemClock
from domain.renewal import RenewalSettings
from messages.i18n import N_, Translator
from messages.style import file_name
from services.case_export import cases_file, cases_file_name
from services.case_export import summary as case_summary
from services.subsidy_export import (
    SUBSIDY_FILE,
    UNKNOWN_CYCLE,
    SubsidyNotReady,
    subsidy_csv,
    subsidy_list,
    subsidy_xlsx,
    summary,
)
from storage.case_export import CaseRow, case_rows
from storage.subsidy import SubsidyRow, cycle_by_year

export_app = typer.Typer(help="导出 / exports.", no_args_is_help=True)

FORMATS = ("xlsx", "csv")

BAD_FORMAT = N_("Unknown format {format}: choose xlsx or csv.")
EXPORT_WRITTEN = N_("{count} workers of cycle {year} written to {path}.")


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
            try:
                return await subsidy_list(
                    session=session,
                    year=cycle,
                    basic_may_renew=RenewalSettings.from_settings(settings).basic_may_renew,
                )
            except SubsidyNotReady as error:
                raise CommandError(t(error.reason, year=cycle), 1) from None

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
