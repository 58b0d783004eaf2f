"""The hotline's figures in the weekly digest: the chart of this 公示 (of this month when no
公示 has dates), sent after the digest to each bureau official who gets it, once per week."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.figures import figures_files, period_days
from storage.audiences import Recipient
from storage.outbox import Attachment, enqueue


async def queue_figures_chart(
    session: AsyncSession, *, staff: Sequence[Recipient], now: datetime, week_key: str
) -> int:
    """Queue the chart for ``staff``; nothing when no complaint was received in the period.
    Returns how many were queued."""
    span = await period_days(session=session, period="gongshi", today=now.date())
    if span is None:
        span = await period_days(session=session, period="month", today=now.date())
    assert span is not None
    rendered: dict[str, tuple[str, bytes, str]] = {}
    queued = 0
    for person in staff:
        if person.language not in rendered:
            files = await figures_files(
                session=session, first=span[0], last=span[1], now=now, language=person.language
            )
            if not files.report.total.received:
                return 0
            rendered[person.language] = (files.chart_name, files.chart, files.summary)
        name, chart, summary = rendered[person.language]
        await enqueue(
            session,
            chat_id=person.user_id,
            kind="notice",
            text=summary[:1000],
            method="sendPhoto",
            file=Attachment(name, chart),
            dedup_key=f"digest:{week_key}:figures:{person.user_id}",
        )
        queued += 1
    return queued
