"""The centre's figures for a period, as a spreadsheet, a chart and a short text: for the
bureau and the administrator in chat, for ``gongshi export figures`` and for the weekly digest.
The definitions are domain.figures'; this reads the records and renders them. Read-only.

Periods: this 公示 (the current cycle's window), a month, the year, or any span of days.
"""

from __future__ import annotations

import asyncio
import calendar as months
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from documents.charts import cjk_font
from documents.figures import figures_chart, figures_xlsx, percent
from domain import figures as defs
from messages.i18n import N_, Translator
from messages.style import date_text, file_name
from storage.appeals import appeals_for_figures
from storage.figures import case_records
from storage.publication import current_cycle

Period = Literal["gongshi", "month", "year"]
FILE_STEM = N_("hotline-figures")
SUMMARY = N_(
    "Hotline figures, {first} to {last}: {received} complaints received.\n"
    "Response rate {response}; on time {on_time}; resolved {resolved}; satisfied "
    "{satisfied}, mean rating {mean} of {ratings} ratings; followed up {followed_up}."
)


@dataclass(frozen=True)
class FiguresFiles:
    report: defs.Report
    xlsx: bytes
    chart: bytes
    xlsx_name: str
    chart_name: str
    summary: str


async def period_days(
    *, session: AsyncSession, period: Period, today: date
) -> tuple[date, date] | None:
    """The days of ``period`` around ``today``; None for 公示 when no cycle has a window."""
    if period == "month":
        last = months.monthrange(today.year, today.month)[1]
        return today.replace(day=1), today.replace(day=last)
    if period == "year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    cycle = await current_cycle(session)
    if cycle is None or cycle.gongshi_opens_on is None or cycle.gongshi_closes_on is None:
        return None
    return cycle.gongshi_opens_on, cycle.gongshi_closes_on


async def figures_report(
    *, session: AsyncSession, first: date, last: date, now: datetime
) -> defs.Report:
    zone = now.tzinfo
    assert zone is not None, "the injected clock gives aware moments"
    records = await case_records(session, first=first, last=last, zone=zone, now=now)
    appealed = await appeals_for_figures(session, [r.case_id for r in records])
    records = [replace(r, appeals=appealed.get(r.case_id, ())) for r in records]
    return defs.report(records, first=first, last=last, today=now.date())


async def figures_files(
    *, session: AsyncSession, first: date, last: date, now: datetime, language: str
) -> FiguresFiles:
    """The spreadsheet and the chart of the period, in ``language`` (the chart in English
    where no font draws Chinese)."""
    report = await figures_report(session=session, first=first, last=last, now=now)
    t = Translator(language)
    font = cjk_font()
    chart_t = t if font or t.language != "zh" else Translator("en")
    chart = await asyncio.to_thread(figures_chart, chart_t, report, font=font)
    span = f"{first:%Y%m%d}-{last:%Y%m%d}"
    return FiguresFiles(
        report=report,
        xlsx=figures_xlsx(t, report),
        chart=chart,
        xlsx_name=file_name(t, FILE_STEM, "xlsx", span),
        chart_name=file_name(t, FILE_STEM, "png", span),
        summary=summary_text(t, report),
    )


def summary_text(t: Translator, report: defs.Report) -> str:
    total = report.total
    return t(
        SUMMARY,
        first=date_text(t, report.first, weekday=False),
        last=date_text(t, report.last, weekday=False),
        received=total.received,
        response=percent(total.response),
        on_time=percent(total.on_time),
        resolved=percent(total.resolved),
        satisfied=percent(total.satisfied),
        mean=total.mean_rating if total.mean_rating is not None else "—",
        ratings=total.ratings,
        followed_up=percent(total.followed_up),
    )
