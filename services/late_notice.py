"""Results added or changed while the 公示 runs: each gets a notice period of its own, a full
minimum length from the day it is published, and is posted to the channel at once, marked as
such; the 公示 stays open until the last of them has run its course, so nobody's result becomes
final with less than the minimum notice (services.publication.close_gongshi refuses before).

Called by the results import in its own transaction (storage.importer's ``after``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.workdays import WorkCalendar
from messages.i18n import N_, Translator
from messages.tasks import day_text
from services import publication_texts as texts
from storage import publication as store
from storage.audit import audit
from storage.models import ChannelPost, Cycle, LateNotice
from storage.outbox import enqueue
from storage.public_rows import group_by_unit, public_rows

LATE_HEAD = N_(
    "Added or corrected on {day}: the results below are published now, with a notice period "
    "of their own from {opens} to {closes}."
)
STILL_NOTICING = N_(
    "{n} results added or changed during the 公示 are on notice until {closes}: it closes "
    "by itself after that day, not before."
)


@dataclass(frozen=True)
class Late:
    rows: int
    closes_on: date


async def publish_late_results(
    *,
    session: AsyncSession,
    cycle_id: int | None,
    worker_ids: Sequence[int],
    batch_id: int | None,
    today: date,
    calendar: WorkCalendar,
    min_workdays: int,
    channel_id: int | None,
    bot_username: str,
    language: str,
) -> Late | None:
    """When the cycle's 公示 is open: each worker's own notice period from ``today``, the
    cycle's window extended to cover it, and the changed rows posted to the channel."""
    if cycle_id is None or not worker_ids:
        return None
    cycle = await session.get(Cycle, cycle_id)
    if cycle is None or cycle.state != store.OPEN:
        return None
    window = store.plan_window(calendar=calendar, today=today, workdays=min_workdays)
    ids = sorted(set(worker_ids))
    known = {
        notice.worker_id: notice
        for notice in (
            await session.execute(
                select(LateNotice).where(
                    col(LateNotice.cycle_id) == cycle_id, col(LateNotice.worker_id).in_(ids)
                )
            )
        ).scalars()
    }
    for worker_id in ids:
        notice = known.get(worker_id)
        if notice is None:
            session.add(
                LateNotice(
                    cycle_id=cycle_id,
                    worker_id=worker_id,
                    opens_on=window.opens_on,
                    closes_on=window.closes_on,
                )
            )
        else:
            notice.opens_on, notice.closes_on = window.opens_on, window.closes_on
    if cycle.gongshi_closes_on is None or cycle.gongshi_closes_on < window.closes_on:
        cycle.gongshi_closes_on = window.closes_on
    posts = 0
    if channel_id is not None:
        posts = await _post(
            session, cycle, ids, batch_id, window, channel_id, bot_username, language, today
        )
    audit(
        session,
        action="gongshi_late_results",
        actor="system",
        target_type="cycle",
        target_id=cycle.year,
        workers=len(ids),
        opens_on=window.opens_on.isoformat(),
        closes_on=window.closes_on.isoformat(),
        posts=posts,
    )
    return Late(len(ids), window.closes_on)


async def _post(
    session: AsyncSession,
    cycle: Cycle,
    worker_ids: list[int],
    batch_id: int | None,
    window: store.Window,
    channel_id: int,
    bot_username: str,
    language: str,
    today: date,
) -> int:
    assert cycle.id is not None
    t = Translator(language)
    head = t(
        LATE_HEAD,
        day=day_text(t, today),
        opens=day_text(t, window.opens_on),
        closes=day_text(t, window.closes_on),
    )
    rows = await public_rows(session=session, cycle_id=cycle.id, worker_ids=worker_ids)
    posted = 0
    for unit_id, unit_rows in group_by_unit(rows).items():
        pages = texts.channel_pages(
            rows=unit_rows,
            unit_name=unit_rows[0].unit_name,
            year=cycle.year,
            opens_on=window.opens_on,
            closes_on=window.closes_on,
            bot_username=bot_username,
            language=language,
        )
        for number, page in enumerate(pages, start=1):
            row = await enqueue(
                session,
                chat_id=channel_id,
                kind="notice",
                text=f"{head}\n{page.text}"[: texts.MAX_TEXT],
                buttons=page.buttons,
                dedup_key=f"gs:{cycle.id}:late:{batch_id}:{unit_id}:{number}",
                protect=True,
            )
            await session.flush()
            session.add(
                ChannelPost(
                    cycle_id=cycle.id,
                    unit_id=unit_id,
                    page=number,
                    chat_id=channel_id,
                    outbox_id=row.id,
                )
            )
            posted += 1
    return posted


async def still_noticing(
    session: AsyncSession, *, cycle_id: int, today: date
) -> tuple[int, date] | None:
    """Late results whose own notice has not run its course by ``today`` (its last day
    included): how many, and the last day of the latest."""
    found = await session.execute(
        select(func.count(), func.max(col(LateNotice.closes_on))).where(
            col(LateNotice.cycle_id) == cycle_id, col(LateNotice.closes_on) >= today
        )
    )
    count, last = found.one()
    return (int(count), last) if count else None
