"""Open the 公示 and close it: the same two use cases for the administrator in chat, the
command line and the sweep that closes a 公示 at the end of its window.

Opening counts the window on the working-day calendar, queues each unit's list for the public
channel and tells the subscribers; closing withdraws the channel posts and makes the results
final, or holds them while a serious case is open. Each runs in the caller's transaction and
commits nothing; the outbox rows carry dedup keys, so running a step again never posts or
tells anyone twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.clock import Clock
from domain.workdays import WorkCalendar
from messages.i18n import N_
from services import publication_texts as texts
from services.hotline_contact import HotlineContact
from services.late_notice import STILL_NOTICING, still_noticing
from services.publication_checks import IncompleteError, checked_override, shortfalls
from services.worker_notices import tell_bound_workers
from storage import publication as store
from storage.audit import audit
from storage.models import ChannelPost, Cycle
from storage.outbox import enqueue
from storage.public_rows import PublicRow, group_by_unit, public_rows
from storage.publication import PublicationError, Window

ALREADY_OPEN = N_("The 公示 of {year} is already open, until {closes}.")
ANOTHER_OPEN = N_("The 公示 of {other} is still open: close it before opening {year}'s.")
ALREADY_CLOSED = N_(
    "The 公示 of {year} is closed and its results are final; it cannot be reopened."
)
NOT_OPEN = N_("The 公示 of {year} is not open.")
NO_RESULTS = N_("The {year} cycle has no results to publish: import them first.")
TOO_SHORT = N_("A 公示 lasts at least {min} working days; {days} is too short.")


@dataclass(frozen=True)
class PublicationRules:
    """What opening a 公示 reads from the settings, built once by whoever starts it."""

    calendar: WorkCalendar
    min_workdays: int
    channel_id: int | None
    bot_username: str
    language: str
    hotline: HotlineContact = field(default_factory=HotlineContact)


@dataclass(frozen=True)
class Opened:
    cycle: Cycle
    window: Window
    units: int
    posts: int
    subscribers: int
    workers: int = 0  # bound workers told their result is published (counted apart)


@dataclass(frozen=True)
class Closed:
    cycle: Cycle
    final: int
    held: int
    withdrawn: int


async def open_gongshi(
    *,
    session: AsyncSession,
    rules: PublicationRules,
    clock: Clock,
    year: int,
    actor: str,
    actor_user_id: int | None = None,
    workdays: int | None = None,
    override_reason: str | None = None,
) -> Opened:
    """Open the 公示 of ``year`` for ``workdays`` working days (the rules' least by default):
    the window, the state (which opens the hotline for the cycle), each unit's list queued
    for the rules' channel (none without a channel), the subscribers told.

    Refused (IncompleteError) while on-duty workers lack a result or a unit's procedure record
    is incomplete, unless ``override_reason`` gives the administrator's reason (audited)."""
    override = checked_override(override_reason)
    days = rules.min_workdays if workdays is None else workdays
    if days < rules.min_workdays:
        raise PublicationError(TOO_SHORT, min=rules.min_workdays, days=days)
    cycle = await store.cycle_by_year(session, year)
    await _check_may_open(session, cycle)
    rows = await public_rows(session=session, cycle_id=_id(cycle))
    if not rows:
        raise PublicationError(NO_RESULTS, year=year)
    short = await shortfalls(session, cycle_id=_id(cycle))
    if short and not override:
        raise IncompleteError(year, short)
    window = store.plan_window(calendar=rules.calendar, today=clock.today(), workdays=days)
    now = clock.now()
    cycle.state, cycle.opened_at, cycle.closed_at = store.OPEN, now, None
    cycle.gongshi_opens_on, cycle.gongshi_closes_on = window.opens_on, window.closes_on
    by_unit = group_by_unit(rows)
    posts = 0
    if rules.channel_id is not None:
        posts = await _queue_channel_posts(session, cycle, by_unit, window, rules)
    told = await _tell_subscribers(session, cycle, window, rules.hotline)
    workers = await tell_bound_workers(session, cycle)
    audit(
        session,
        at=now,
        actor_user_id=actor_user_id,
        actor=actor,
        action="gongshi_opened",
        target_type="cycle",
        target_id=year,
        opens_on=window.opens_on.isoformat(),
        closes_on=window.closes_on.isoformat(),
        workdays=days,
        posts=posts,
        subscribers=told,
        workers=workers,
    )
    if short:
        audit(
            session,
            at=now,
            actor_user_id=actor_user_id,
            actor=actor,
            action="gongshi_opened_incomplete",
            target_type="cycle",
            target_id=year,
            reason=override,
            units={
                unit.unit_name: {
                    "without_result": unit.without_result,
                    "missing": [gap.step for gap in unit.gaps],
                }
                for unit in short
            },
        )
    return Opened(cycle, window, len(by_unit), posts, told, workers)


async def _check_may_open(session: AsyncSession, cycle: Cycle) -> None:
    if cycle.state == store.OPEN:
        raise PublicationError(ALREADY_OPEN, year=cycle.year, closes=cycle.gongshi_closes_on)
    if cycle.state == store.CLOSED:
        raise PublicationError(ALREADY_CLOSED, year=cycle.year)
    other_year = await store.open_year(session)
    if other_year is not None:
        raise PublicationError(ANOTHER_OPEN, other=other_year, year=cycle.year)


async def _queue_channel_posts(
    session: AsyncSession,
    cycle: Cycle,
    by_unit: dict[int, list[PublicRow]],
    window: Window,
    rules: PublicationRules,
) -> int:
    assert rules.channel_id is not None
    cycle_id = _id(cycle)
    done = await store.queued_pages(session, cycle_id=cycle_id)
    queued = 0
    for unit_id, rows in by_unit.items():
        pages = texts.channel_pages(
            rows=rows,
            unit_name=rows[0].unit_name,
            year=cycle.year,
            opens_on=window.opens_on,
            closes_on=window.closes_on,
            bot_username=rules.bot_username,
            language=rules.language,
            hotline=rules.hotline,
        )
        for number, page in enumerate(pages, start=1):
            if (unit_id, number) in done:
                continue
            row = await enqueue(
                session,
                chat_id=rules.channel_id,
                kind="notice",
                text=page.text,
                buttons=page.buttons,
                dedup_key=f"gs:{cycle_id}:post:{unit_id}:{number}",
                protect=True,
            )
            await session.flush()
            session.add(
                ChannelPost(
                    cycle_id=cycle_id,
                    unit_id=unit_id,
                    page=number,
                    chat_id=rules.channel_id,
                    outbox_id=row.id,
                )
            )
            queued += 1
    return queued


async def _tell_subscribers(
    session: AsyncSession, cycle: Cycle, window: Window, hotline: HotlineContact
) -> int:
    told = 0
    for user_id, language in await store.subscribers(session):
        notice = texts.subscriber_notice(
            language=language,
            year=cycle.year,
            opens_on=window.opens_on,
            closes_on=window.closes_on,
            hotline=hotline,
        )
        await enqueue(
            session,
            chat_id=user_id,
            kind="broadcast",
            text=notice.text,
            buttons=notice.buttons,
            dedup_key=f"gs:{_id(cycle)}:sub:{user_id}",
        )
        told += 1
    return told


async def close_gongshi(
    *,
    session: AsyncSession,
    year: int,
    now: datetime,
    actor: str,
    actor_user_id: int | None = None,
) -> Closed:
    """Close the 公示 of ``year``: browsing stops, the channel posts are withdrawn, results
    become final except those of a worker with a serious case still open, which are held."""
    cycle = await store.cycle_by_year(session, year)
    if cycle.state != store.OPEN:
        raise PublicationError(NOT_OPEN, year=year)
    noticing = await still_noticing(session, cycle_id=_id(cycle), today=now.date())
    if noticing is not None:
        raise PublicationError(STILL_NOTICING, n=noticing[0], closes=noticing[1])
    cycle.state, cycle.closed_at = store.CLOSED, now
    cycle_id = _id(cycle)
    withdrawn = await store.withdraw_posts(session=session, cycle_ids=[cycle_id], now=now)
    held, final = await store.settle_results(session, cycle_id=cycle_id, now=now)
    audit(
        session,
        at=now,
        actor_user_id=actor_user_id,
        actor=actor,
        action="gongshi_closed",
        target_type="cycle",
        target_id=year,
        final=final,
        held=held,
        withdrawn=withdrawn,
    )
    return Closed(cycle, final, held, withdrawn)


def _id(cycle: Cycle) -> int:
    assert cycle.id is not None
    return cycle.id
