"""The weekly digest for bureau staff: overdue tasks and open cases per unit, as a chart with a
short text, through the outbox.

The sweep runs every quarter hour and sends the digest once per ISO week, from the configured
weekday and hour on: a bot that was down on Monday morning sends it when it is back.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from documents.charts import cjk_font
from domain.clock import Clock
from messages.i18n import N_, Translator
from messages.style import date_text
from notices.config import NoticeSettings
from notices.figures_digest import queue_figures_chart
from notices.reminders import local_now
from storage.audiences import bureau_staff
from storage.db import transaction
from storage.models import Outbox
from storage.outbox import Attachment, enqueue
from storage.unit_tasks import UnitLoad, overdue_and_open_cases

log = logging.getLogger(__name__)

MAX_UNITS_IN_CHART = 30
MAX_UNITS_IN_TEXT = 5

TITLE = N_("Weekly digest, {first} to {last}:")
SUMMARY = N_("{tasks} overdue tasks in {units} units; {cases} open cases.")
MOST = N_("Most behind:")
UNIT_LINE = N_("{unit}: {tasks} overdue tasks, {cases} open cases")
ALL_CLEAR = N_("No unit has an overdue task, and no case is open.")


async def send_weekly_digest(
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: NoticeSettings,
    force: bool = False,
) -> int:
    """Queue this week's digest for every bureau official who has not had it; return how many."""
    now = local_now(clock, settings.timezone)
    if not force and not digest_due(now, settings):
        return 0
    # The ISO week keys the digest once per week; people read the week by its dates.
    year, week, _ = now.isocalendar()
    week_key = f"{year}-W{week:02d}"
    monday = now.date() - timedelta(days=now.weekday())
    async with transaction(sessions) as session:
        staff = await bureau_staff(session)
        done = await _already_queued(session, week_key)
        staff = [person for person in staff if person.user_id not in done]
        if not staff:
            return 0
        loads = await overdue_and_open_cases(session, today=now.date())
        chart = None
        if loads:
            chart = Attachment(
                f"digest-{week_key}.png",
                await asyncio.to_thread(render_chart, loads, font=cjk_font()),
            )
        for person in staff:
            text = digest_text(Translator(person.language), loads, monday)
            await enqueue(
                session,
                chat_id=person.user_id,
                kind="notice",
                text=text,
                method="sendPhoto" if chart else "sendMessage",
                file=chart,
                dedup_key=f"digest:{week_key}:{person.user_id}",
            )
        await queue_figures_chart(session, staff=staff, now=now, week_key=week_key)
    return len(staff)


async def _already_queued(session: AsyncSession, week_key: str) -> set[int]:
    rows = await session.execute(
        select(col(Outbox.chat_id)).where(col(Outbox.dedup_key).like(f"digest:{week_key}:%"))
    )
    return {int(chat_id) for chat_id in rows.scalars()}


def digest_text(t: Translator, loads: Sequence[UnitLoad], monday: date) -> str:
    first, last = monday, monday + timedelta(days=6)
    lines = [
        t(
            TITLE,
            first=date_text(t, first, weekday=False),
            last=date_text(t, last, weekday=False),
        )
    ]
    if not loads:
        lines.append(t(ALL_CLEAR))
        return "\n".join(lines)
    lines.append(
        t(
            SUMMARY,
            tasks=sum(u.overdue_tasks for u in loads),
            units=sum(1 for u in loads if u.overdue_tasks),
            cases=sum(u.open_cases for u in loads),
        )
    )
    lines.append(t(MOST))
    for unit in loads[:MAX_UNITS_IN_TEXT]:
        lines.append(
            "• "
            + t(UNIT_LINE, unit=unit.unit_name, tasks=unit.overdue_tasks, cases=unit.open_cases)
        )
    return "\n".join(lines)[:1000]  # a photo's caption holds 1024 characters


def chart_labels(
    shown: Sequence[UnitLoad], font: str | None
) -> tuple[list[str], tuple[str, str], str]:
    """Units' names, legend and title; without a Chinese font (boxes instead of characters),
    units by number and English only."""
    if font:
        return (
            [u.unit_name for u in shown],
            ("逾期任务 / overdue tasks", "未结案件 / open cases"),
            "各单位逾期任务与未结案件 / Overdue tasks and open cases per unit",
        )
    return (
        [f"#{u.unit_id}" for u in shown],
        ("overdue tasks", "open cases"),
        "Overdue tasks and open cases per unit (units by number)",
    )


def render_chart(loads: Sequence[UnitLoad], *, font: str | None) -> bytes:
    """A horizontal bar chart as PNG, drawn with ``font`` (see ``cjk_font``)."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    family = font
    shown = list(loads[:MAX_UNITS_IN_CHART])[::-1]  # matplotlib draws the first bar lowest
    labels, legend, title = chart_labels(shown, family)
    height = 1.5 + 0.35 * len(shown)
    figure = Figure(figsize=(8, height), dpi=100)
    axes = figure.add_subplot()
    positions = range(len(shown))
    bar = 0.4
    axes.barh(
        [p + bar / 2 for p in positions],
        [u.overdue_tasks for u in shown],
        height=bar,
        label=legend[0],
        color="#d9534f",
    )
    axes.barh(
        [p - bar / 2 for p in positions],
        [u.open_cases for u in shown],
        height=bar,
        label=legend[1],
        color="#f0ad4e",
    )
    axes.set_yticks(list(positions), labels)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # tasks and cases are counted
    axes.set_title(title, fontsize=11)
    key = axes.legend(loc="lower right")
    if family:
        for text in [axes.title, *axes.get_yticklabels(), *key.get_texts()]:
            text.set_fontfamily(family)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def digest_due(now: datetime, settings: NoticeSettings) -> bool:
    """From the configured weekday and hour on, to the end of the ISO week."""
    return (now.weekday(), now.hour) >= (settings.digest_weekday, settings.digest_hour)
