"""`gongshi export figures --from --to`: the hotline's figures for a span of days, as a
spreadsheet and a chart (services.figures, which the chat menu and the digest use too)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from bot.runtime_context import (
    fail,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from domain.clock import SystemClock
from messages.i18n import N_, Translator
from services.figures import FiguresFiles, figures_files

BAD_DAY = N_("{value} is not a date: write it as 2026-12-01.")
BAD_SPAN = N_("The span ends before it begins: {first} to {last}.")
FIGURES_WRITTEN = N_("Figures written to {xlsx} and {chart}.")


def _day(value: str, t: Translator) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(t(BAD_DAY, value=value[:40]), 2)


def figures(
    first: str = typer.Option(..., "--from", help="首日 / first day, 2026-12-01"),
    last: str = typer.Option(..., "--to", help="末日 / last day, 2026-12-31"),
    output: Path = typer.Option(Path("."), "--output", "-o", help="目录 / folder to write to"),
) -> None:
    """导出热线统计指标（Excel 与图表）/ The hotline's figures as a spreadsheet and a chart."""
    settings = settings_or_exit()
    t = Translator(settings.language)
    start, end = _day(first, t), _day(last, t)
    if end < start:
        fail(t(BAD_SPAN, first=first, last=last), 2)
    clock = SystemClock(settings.timezone)

    async def go() -> FiguresFiles:
        async with open_storage(settings) as storage, storage.sessions() as session:
            await require_newest_schema(storage.engine, t)
            return await figures_files(
                session=session, first=start, last=end, now=clock.now(), language=t.language
            )

    files = run_async(go())
    output.mkdir(parents=True, exist_ok=True)
    xlsx, chart = output / files.xlsx_name, output / files.chart_name
    xlsx.write_bytes(files.xlsx)
    chart.write_bytes(files.chart)
    typer.echo(t(FIGURES_WRITTEN, xlsx=str(xlsx), chart=str(chart)))
    typer.echo(files.summary)
