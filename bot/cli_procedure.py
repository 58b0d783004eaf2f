"""`gongshi procedure import|minutes|status`: the assessment procedure (五(一)–(四)) of each
unit from the command line, through the same use cases as the chat."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli_import import read_limits
from bot.runtime_context import (
    CommandError,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from domain.clock import SystemClock
from domain.procedure import ProcedureError
from messages.i18n import N_, Translator
from services.import_report import ImportReport, report_lines
from services.procedure import attach_minutes, gap_line, procedure_gaps
from services.procedure_sheet import import_procedure
from storage.db import transaction
from storage.procedure import cycle_for_year, unit_names
from storage.sheet_reader import SheetError
from storage.workers import unit_by_name

procedure_app = typer.Typer(
    help="考核程序（述职、谈话、测评、集体研究）/ the assessment procedure.", no_args_is_help=True
)

MINUTES_KEPT = N_("The minutes “{file}” of {unit}'s 集体研究 meeting are on record.")
ALL_RECORDED = N_("Every unit with workers on duty has recorded the whole procedure of {year}.")
NO_SUCH_UNIT = N_("No unit named “{name}” is registered.")
ACTOR = "cli"

CYCLE = typer.Option(..., "--cycle", min=2000, max=2100, help="考核年度 / assessment year")


@procedure_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="XLSX 或 CSV 文件 / an XLSX or CSV file"),
    cycle: int = CYCLE,
) -> None:
    """导入考核程序记录（单位、环节、日期、姓名、身份、说明）/ Record the procedure from a sheet."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    clock = SystemClock(settings.timezone)

    async def go() -> ImportReport:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            try:
                return await import_procedure(
                    sessions=storage.sessions,
                    path=file,
                    cycle_year=cycle,
                    max_mb=settings.import_max_mb,
                    limits=read_limits(settings),
                    memory_mb=settings.import_max_memory_mb,
                    today=clock.today(),
                    now=clock.now(),
                )
            except SheetError as error:
                raise CommandError(t(error.reason, **error.params)) from None

    report = run_async(go())
    for line in report_lines(report, t):
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


@procedure_app.command("minutes")
def minutes_command(
    file: Path = typer.Argument(..., help="会议纪要（PDF、图片或 Word）/ the minutes"),
    cycle: int = CYCLE,
    unit: str = typer.Option(..., "--unit", help="用人单位 / the unit"),
) -> None:
    """登记集体研究会议纪要 / Put a unit's 集体研究 minutes on record."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    clock = SystemClock(settings.timezone)
    try:
        content = file.read_bytes()
    except OSError as error:
        raise CommandError(f"{file}: {error.strerror or error}", 2) from None

    async def go() -> str:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with transaction(storage.sessions) as session:
                found = await unit_by_name(session, unit)
                if found is None or found.id is None:
                    raise CommandError(t(NO_SUCH_UNIT, name=unit), 2)
                try:
                    await attach_minutes(
                        session=session,
                        year=cycle,
                        unit_id=found.id,
                        unit_name=found.name,
                        file_name=file.name,
                        content=content,
                        actor=ACTOR,
                        now=clock.now(),
                    )
                except ProcedureError as error:
                    raise CommandError(t(error.reason, **error.params), 2) from None
        return t(MINUTES_KEPT, file=file.name, unit=found.name)

    typer.echo(run_async(go()))


@procedure_app.command("status")
def status_command(cycle: int = CYCLE) -> None:
    """各单位考核程序缺少的环节 / What each unit's procedure record lacks."""
    settings = settings_or_exit()
    t = Translator(settings.language)

    async def go() -> list[str]:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with storage.sessions() as session:
                found = await cycle_for_year(session, cycle)
                gaps = await procedure_gaps(session=session, cycle_id=found.id if found else None)
                names = await unit_names(session)
        return [gap_line(t, names[unit_id], unit_gaps) for unit_id, unit_gaps in gaps.items()]

    lines = run_async(go())
    for line in lines or [t(ALL_RECORDED, year=cycle)]:
        typer.echo(line)
