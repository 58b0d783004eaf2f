"""`gongshi export inspection --cycle Y`: the inspection's summary for the leading group
(XLSX and a chart as PNG) and every unit's inspection record (PDF), written into a folder."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import col, select

from bot.runtime_context import (
    CommandError,
    open_storage,
    require_newest_schema,
    run_async,
    settings_or_exit,
)
from messages.i18n import N_, Translator
from storage.models import Cycle

NO_CYCLE = N_("There is no {year} assessment cycle.")
NO_PLAN = N_("The {year} cycle has no inspection plan yet: run `gongshi inspection plan`.")
WRITTEN = N_("Inspection {year}: the summary of {units} units and {records} records in {path}.")


def export_inspection(
    cycle: int = typer.Option(..., "--cycle", min=2000, max=2100, help="考核年度 / year"),
    out: Path = typer.Option(Path("."), "--out", help="输出目录 / folder to write into"),
) -> None:
    """导出考核检查汇总表和各单位检查记录 / Export the inspection summary and records."""
    from services.inspection_reports import record_pdf, summary_chart, summary_xlsx
    from storage.inspection import plan_of, units_in_plan

    settings = settings_or_exit()
    t = Translator(settings.language)

    async def go() -> tuple[int, int]:
        async with open_storage(settings) as storage:
            await require_newest_schema(storage.engine, t)
            async with storage.sessions() as session:
                found = await session.execute(select(Cycle).where(col(Cycle.year) == cycle))
                year = found.scalars().first()
                if year is None or year.id is None:
                    raise CommandError(t(NO_CYCLE, year=cycle), 1)
                plan = await plan_of(session, year.id)
                if plan is None or plan.id is None:
                    raise CommandError(t(NO_PLAN, year=cycle), 1)
                out.mkdir(parents=True, exist_ok=True)
                name, content, units = await summary_xlsx(
                    session=session, plan=plan, cycle=year, language=t.language
                )
                (out / name).write_bytes(content)
                chart_name, chart = await summary_chart(
                    session=session, plan=plan, cycle=year, language=t.language
                )
                (out / chart_name).write_bytes(chart)
                records = 0
                for unit in await units_in_plan(session, plan.id):
                    made = await record_pdf(
                        session=session,
                        plan=plan,
                        cycle=year,
                        unit_id=unit.unit_id,
                        language=t.language,
                        font_file=settings.pdf_font,
                    )
                    if made is not None:
                        (out / made[0].replace("/", "_")).write_bytes(made[1])
                        records += 1
                return units, records

    units, records = run_async(go())
    typer.echo(t(WRITTEN, year=cycle, units=units, records=records, path=out))
