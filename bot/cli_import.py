"""`gongshi import results FILE --cycle YEAR`, `gongshi import roster FILE` and
`gongshi import units FILE`.

Both call services.imports, the same use case the chat upload uses, and print what it found in the
settings' language: every bad cell on its own line, or what was created, updated and unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from bot.runtime_context import (
    CommandError,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from bot.settings import Settings, require_real_secret_key
from domain.renewal import RenewalSettings
from messages.i18n import N_, Translator
from services.import_report import ImportReport, report_lines
from services.imports import import_results, import_roster, import_units
from services.publication import PublicationRules
from storage.importer import SheetError
from storage.sheet_reader import ReadLimits

import_app = typer.Typer(
    help="导入单位、名册与考核结果 / import units, rosters and results.",
    no_args_is_help=True,
)

MSG_PROGRESS = N_("Importing")


@import_app.command("results")
def results(
    file: Path = typer.Argument(..., help="XLSX 或 CSV 文件 / an XLSX or CSV file"),
    cycle: int = typer.Option(
        ..., "--cycle", min=2000, max=2100, help="考核年度 / assessment year"
    ),
) -> None:
    """导入考核结果（单位、姓名、身份证号、岗位、考核等次、是否续签等）/ Import results."""
    require_real_secret_key()
    _import_file(file, cycle)


@import_app.command("roster")
def roster(
    file: Path = typer.Argument(..., help="XLSX 或 CSV 文件 / an XLSX or CSV file"),
) -> None:
    """导入在岗人员名册（单位、姓名、身份证号、手机号、岗位）/ Import a roster of workers."""
    require_real_secret_key()
    _import_file(file, None)


@import_app.command("units")
def units(
    file: Path = typer.Argument(..., help="XLSX 或 CSV 文件 / an XLSX or CSV file"),
) -> None:
    """登记用人单位（单位、岗位指标，可选联系电话、主管部门）/ Register units from a sheet."""
    settings = settings_or_exit()
    t = Translator(settings.language)

    async def go() -> ImportReport:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            try:
                return await import_units(
                    sessions=storage.sessions,
                    path=file,
                    max_mb=settings.import_max_mb,
                    limits=read_limits(settings),
                    memory_mb=settings.import_max_memory_mb,
                )
            except SheetError as error:
                raise CommandError(t(error.reason, **error.params)) from None

    report = run_async(go())
    for line in report_lines(report, t):
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


def read_limits(settings: Settings) -> ReadLimits:
    """The bounds of one imported file, from the settings."""
    return ReadLimits(
        max_rows=settings.import_max_rows,
        max_columns=settings.import_max_columns,
        max_cell_chars=settings.import_max_cell_chars,
        max_uncompressed_mb=settings.import_max_uncompressed_mb,
    )


def _import_file(file: Path, cycle: int | None) -> None:
    settings = settings_or_exit()
    t = Translator(settings.language)
    report = run_async(_run(settings, t, file, cycle))
    for line in report_lines(report, t):
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


async def _run(settings: Settings, t: Translator, file: Path, cycle: int | None) -> ImportReport:
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    async with open_storage(settings) as storage:
        await require_newest_schema(storage.engine, t)
        secret_key = settings.secret_key.get_secret_value()
        with _progress_bar(t) as progress:
            try:
                if cycle is None:
                    return await import_roster(
                        sessions=storage.sessions,
                        secret_key=secret_key,
                        path=file,
                        progress=progress,
                        max_mb=settings.import_max_mb,
                        today=today,
                        limits=read_limits(settings),
                        memory_mb=settings.import_max_memory_mb,
                    )
                return await import_results(
                    sessions=storage.sessions,
                    secret_key=secret_key,
                    path=file,
                    cycle_year=cycle,
                    progress=progress,
                    max_mb=settings.import_max_mb,
                    today=today,
                    limits=read_limits(settings),
                    memory_mb=settings.import_max_memory_mb,
                    notice=_notice_rules(settings),
                    renewal=RenewalSettings.from_settings(settings),
                )
            except SheetError as error:
                raise CommandError(t(error.reason, **error.params)) from None


def _notice_rules(settings: Settings) -> PublicationRules:
    """The 公示's rules, for results that come in while it runs (services.late_notice)."""
    from bot.cli_publish import publication_rules
    from notices.service import work_calendar

    return publication_rules(settings, work_calendar(settings))


@contextmanager
def _progress_bar(t: Translator) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when a person watches it; nothing in pipes, logs and tests."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(t(MSG_PROGRESS), total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
