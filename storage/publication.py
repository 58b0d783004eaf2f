"""The 公示 of a cycle: open it (its window counted on the working-day calendar, each unit's
list queued for the public channel, the subscribers told), close it (the channel posts
withdrawn, the results final or held while a serious case is open), and the public rows.

A public row is a masked name, the unit, the post, the grade and the renewal decision: the
queries here never read an ID number or a phone, so nothing built on them can show one.

Each step runs in the caller's transaction and commits nothing; the outbox rows it writes
carry dedup keys, so running a step again never posts or tells anyone twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.cases import FINAL_STATES
from domain.masking import mask_name
from domain.workdays import WorkCalendar
from messages.i18n import N_
from notices import publication as texts
from storage.models import (
    AuditLog,
    Case,
    ChannelPost,
    Cycle,
    Outbox,
    Result,
    Subscription,
    TelegramUser,
    Unit,
    Worker,
)
from storage.name_search import NameQuery
from storage.outbox import PRIORITY, enqueue
from storage.outbox_queue import FAILED, PENDING, SENDING, SENT

OPEN, CLOSED = "open", "closed"
TOPIC = "gongshi"
SERIOUS = "serious"
# Withdrawing the lists is due at the close, ahead of any broadcast still being delivered.
WITHDRAW_PRIORITY = PRIORITY["alert"] + 10
WITHDRAWN = "withdrawn: the 公示 closed before it was posted"

NO_CYCLE = N_("There is no {year} assessment cycle.")
ALREADY_OPEN = N_("The 公示 of {year} is already open, until {closes}.")
ANOTHER_OPEN = N_("The 公示 of {other} is still open: close it before opening {year}'s.")
ALREADY_CLOSED = N_(
    "The 公示 of {year} is closed and its results are final; it cannot be reopened."
)
NOT_OPEN = N_("The 公示 of {year} is not open.")
NO_RESULTS = N_("The {year} cycle has no results to publish: import them first.")
NO_WINDOW = N_(
    "The 公示 of {year} has not been opened: open it first, so the notice shows its period."
)
UNKNOWN_UNIT = N_("No unit named {unit} has results in the {year} cycle.")
TOO_SHORT = N_("A 公示 lasts at least {min} working days; {days} is too short.")


class PublicationError(Exception):
    """A refused step; ``reason`` is a message id with ``params``, for the caller to translate."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = {key: str(value) for key, value in params.items()}
        super().__init__(reason.format(**self.params))


@dataclass(frozen=True)
class Window:
    opens_on: date
    closes_on: date
    workdays: int


@dataclass(frozen=True)
class PublicRow:
    """One line of a published list. Deliberately without ID number, phone or remark."""

    result_id: int
    unit_id: int
    unit_name: str
    masked_name: str
    post: str
    grade: str
    renew: bool


@dataclass(frozen=True)
class Opened:
    cycle: Cycle
    window: Window
    units: int
    posts: int
    subscribers: int


@dataclass(frozen=True)
class Closed:
    cycle: Cycle
    final: int
    held: int
    withdrawn: int


@dataclass(frozen=True)
class Status:
    year: int
    state: str
    opens_on: date | None
    closes_on: date | None
    results: int
    final: int
    held: int
    posts: int
    posted: int
    withdrawn: int


def plan_window(*, calendar: WorkCalendar, today: date, workdays: int) -> Window:
    """The window of a 公示 opened on ``today``: from the first working day (today, or the next
    one), ``workdays`` working days in all. Raises ``UnknownYearError`` for an unknown year."""
    opens = calendar.add_workdays(today, 0)
    return Window(opens, calendar.add_workdays(opens, workdays - 1), workdays)


async def cycle_by_year(session: AsyncSession, year: int) -> Cycle:
    found = await session.execute(select(Cycle).where(col(Cycle.year) == year))
    cycle = found.scalars().first()
    if cycle is None:
        raise PublicationError(NO_CYCLE, year=year)
    return cycle


async def current_cycle(session: AsyncSession) -> Cycle | None:
    """The cycle whose 公示 is open, else the latest cycle."""
    found = await session.execute(
        select(Cycle).order_by((col(Cycle.state) == OPEN).desc(), col(Cycle.year).desc()).limit(1)
    )
    return found.scalars().first()


# Opening -------------------------------------------------------------------------------------


async def open_gongshi(
    *,
    session: AsyncSession,
    year: int,
    calendar: WorkCalendar,
    now: datetime,
    today: date,
    workdays: int,
    min_workdays: int,
    channel_id: int | None,
    bot_username: str,
    language: str,
    actor: str,
    actor_user_id: int | None = None,
) -> Opened:
    """Open the 公示 of ``year``: the window, the state (which opens the hotline for the cycle),
    each unit's list queued for ``channel_id`` (none without a channel), the subscribers told."""
    if workdays < min_workdays:
        raise PublicationError(TOO_SHORT, min=min_workdays, days=workdays)
    cycle = await cycle_by_year(session, year)
    await _check_may_open(session, cycle)
    rows = await public_rows(session=session, cycle_id=_id(cycle))
    if not rows:
        raise PublicationError(NO_RESULTS, year=year)
    window = plan_window(calendar=calendar, today=today, workdays=workdays)
    cycle.state, cycle.opened_at, cycle.closed_at = OPEN, now, None
    cycle.gongshi_opens_on, cycle.gongshi_closes_on = window.opens_on, window.closes_on
    by_unit = _group_by_unit(rows)
    posts = 0
    if channel_id is not None:
        posts = await _queue_channel_posts(
            session, cycle, by_unit, window, channel_id, bot_username, language
        )
    told = await _tell_subscribers(session, cycle, window)
    session.add(
        AuditLog(
            at=now,
            actor_user_id=actor_user_id,
            actor=actor,
            action="gongshi_opened",
            target_type="cycle",
            target_id=str(year),
            detail={
                "opens_on": window.opens_on.isoformat(),
                "closes_on": window.closes_on.isoformat(),
                "workdays": workdays,
                "posts": posts,
                "subscribers": told,
            },
        )
    )
    return Opened(cycle, window, len(by_unit), posts, told)


async def _check_may_open(session: AsyncSession, cycle: Cycle) -> None:
    if cycle.state == OPEN:
        raise PublicationError(ALREADY_OPEN, year=cycle.year, closes=cycle.gongshi_closes_on)
    if cycle.state == CLOSED:
        raise PublicationError(ALREADY_CLOSED, year=cycle.year)
    other = await session.execute(select(col(Cycle.year)).where(col(Cycle.state) == OPEN))
    other_year = other.scalar_one_or_none()
    if other_year is not None:
        raise PublicationError(ANOTHER_OPEN, other=other_year, year=cycle.year)


def _group_by_unit(rows: Sequence[PublicRow]) -> dict[int, list[PublicRow]]:
    grouped: dict[int, list[PublicRow]] = {}
    for row in rows:
        grouped.setdefault(row.unit_id, []).append(row)
    return grouped


async def _queue_channel_posts(
    session: AsyncSession,
    cycle: Cycle,
    by_unit: dict[int, list[PublicRow]],
    window: Window,
    channel_id: int,
    bot_username: str,
    language: str,
) -> int:
    cycle_id = _id(cycle)
    existing = await session.execute(
        select(col(ChannelPost.unit_id), col(ChannelPost.page)).where(
            col(ChannelPost.cycle_id) == cycle_id
        )
    )
    done = {(int(unit), int(page)) for unit, page in existing.all()}
    queued = 0
    for unit_id, rows in by_unit.items():
        pages = texts.channel_pages(
            rows=rows,
            unit_name=rows[0].unit_name,
            year=cycle.year,
            opens_on=window.opens_on,
            closes_on=window.closes_on,
            bot_username=bot_username,
            language=language,
        )
        for number, page in enumerate(pages, start=1):
            if (unit_id, number) in done:
                continue
            row = await enqueue(
                session,
                chat_id=channel_id,
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
                    chat_id=channel_id,
                    outbox_id=row.id,
                )
            )
            queued += 1
    return queued


async def _tell_subscribers(session: AsyncSession, cycle: Cycle, window: Window) -> int:
    found = await session.execute(
        select(col(Subscription.user_id), col(TelegramUser.language))
        .join(TelegramUser, col(TelegramUser.id) == col(Subscription.user_id))
        .where(col(Subscription.topic) == TOPIC, col(TelegramUser.blocked_bot).is_(False))
        .order_by(col(Subscription.user_id))
    )
    told = 0
    for user_id, language in found.all():
        notice = texts.subscriber_notice(
            language=language,
            year=cycle.year,
            opens_on=window.opens_on,
            closes_on=window.closes_on,
        )
        await enqueue(
            session,
            chat_id=int(user_id),
            kind="broadcast",
            text=notice.text,
            buttons=notice.buttons,
            dedup_key=f"gs:{_id(cycle)}:sub:{user_id}",
        )
        told += 1
    return told


# Closing -------------------------------------------------------------------------------------


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
    cycle = await cycle_by_year(session, year)
    if cycle.state != OPEN:
        raise PublicationError(NOT_OPEN, year=year)
    cycle.state, cycle.closed_at = CLOSED, now
    cycle_id = _id(cycle)
    withdrawn = await withdraw_posts(session=session, cycle_ids=[cycle_id], now=now)
    held, final = await _settle_results(session, cycle_id, now)
    session.add(
        AuditLog(
            at=now,
            actor_user_id=actor_user_id,
            actor=actor,
            action="gongshi_closed",
            target_type="cycle",
            target_id=str(year),
            detail={"final": final, "held": held, "withdrawn": withdrawn},
        )
    )
    return Closed(cycle, final, held, withdrawn)


async def due_to_close(session: AsyncSession, *, today: date) -> list[int]:
    """Years whose 公示 is open and whose last day is over."""
    found = await session.execute(
        select(col(Cycle.year)).where(
            col(Cycle.state) == OPEN, col(Cycle.gongshi_closes_on) < today
        )
    )
    return [int(year) for year in found.scalars()]


async def withdraw_posts(*, session: AsyncSession, cycle_ids: Sequence[int], now: datetime) -> int:
    """Queue the deletion of every posted channel post of closed cycles; a post still waiting
    in the outbox is cancelled instead. A post a sender has claimed (held for the channel's
    next turn) is cancelled by that sender, which checks ``withdraw_claimed_post`` right
    before it sends; one already on its way is left for the next sweep, which finds it sent.
    Returns how many posts were withdrawn."""
    found = await session.execute(
        select(ChannelPost, Outbox)
        .outerjoin(Outbox, col(Outbox.id) == col(ChannelPost.outbox_id))
        .where(
            col(ChannelPost.cycle_id).in_(list(cycle_ids)), col(ChannelPost.deleted_at).is_(None)
        )
        .order_by(col(ChannelPost.id))
    )
    withdrawn = 0
    for post, sent in found.all():
        if sent is None or sent.state == FAILED:
            post.deleted_at = now
        elif sent.state == SENT:
            await _delete_post(session, post, sent, now)
            withdrawn += 1
        elif sent.state == PENDING and await _cancel(session, _id(sent)):
            post.deleted_at = now
            withdrawn += 1
    return withdrawn


async def _delete_post(
    session: AsyncSession, post: ChannelPost, sent: Outbox, now: datetime
) -> None:
    post.message_id, post.posted_at = sent.message_id, sent.sent_at
    # deleted_at records that the deletion is ordered: the outbox delivers it, retrying.
    post.deleted_at = now
    if sent.message_id is None:
        return
    await enqueue(
        session,
        chat_id=post.chat_id,
        kind="notice",
        priority=WITHDRAW_PRIORITY,
        text="",
        method="deleteMessage",
        message_id=sent.message_id,
        dedup_key=f"gs:{post.cycle_id}:del:{post.id}",
    )


async def _cancel(session: AsyncSession, outbox_id: int) -> bool:
    # Only while still pending: a sender may claim the row at this very moment.
    result = await session.execute(
        update(Outbox)
        .where(col(Outbox.id) == outbox_id, col(Outbox.state) == PENDING)
        .values(state=FAILED, last_error=WITHDRAWN)
    )
    return bool(getattr(result, "rowcount", 0))


async def withdraw_claimed_post(
    *, session: AsyncSession, outbox_id: int, worker: str, now: datetime
) -> bool:
    """Cancel the channel post that outbox row ``outbox_id`` (claimed by ``worker``) would
    send, if its 公示 is closed; True when it must not be sent. Rows that are no 公示 post
    are left alone."""
    found = await session.execute(
        select(ChannelPost)
        .join(Cycle, col(Cycle.id) == col(ChannelPost.cycle_id))
        .where(col(ChannelPost.outbox_id) == outbox_id, col(Cycle.state) != OPEN)
    )
    post = found.scalars().first()
    if post is None:
        return False
    await session.execute(
        update(Outbox)
        .where(
            col(Outbox.id) == outbox_id,
            col(Outbox.state) == SENDING,
            col(Outbox.claimed_by) == worker,
        )
        .values(state=FAILED, claimed_by=None, claimed_until=None, last_error=WITHDRAWN)
    )
    post.deleted_at = post.deleted_at or now
    return True


async def withdraw_leftovers(*, session: AsyncSession, now: datetime) -> int:
    """Posts of closed cycles still standing (they were being sent at the close)."""
    found = await session.execute(
        select(col(ChannelPost.cycle_id))
        .join(Cycle, col(Cycle.id) == col(ChannelPost.cycle_id))
        .where(col(Cycle.state) == CLOSED, col(ChannelPost.deleted_at).is_(None))
        .distinct()
    )
    cycle_ids = [int(i) for i in found.scalars()]
    if not cycle_ids:
        return 0
    return await withdraw_posts(session=session, cycle_ids=cycle_ids, now=now)


def _open_serious_cases() -> Any:
    return select(col(Case.worker_id)).where(
        col(Case.severity) == SERIOUS,
        col(Case.state).not_in(sorted(FINAL_STATES)),
        col(Case.worker_id).is_not(None),
    )


async def _settle_results(session: AsyncSession, cycle_id: int, now: datetime) -> tuple[int, int]:
    this_cycle = col(Result.cycle_id) == cycle_id
    named = col(Result.worker_id).in_(_open_serious_cases())
    held = await session.execute(
        update(Result).where(this_cycle, named).values(status="held", updated_at=now)
    )
    final = await session.execute(
        update(Result).where(this_cycle, ~named).values(status="final", updated_at=now)
    )
    return int(getattr(held, "rowcount", 0)), int(getattr(final, "rowcount", 0))


async def release_held_results(
    *, session: AsyncSession, worker_id: int, now: datetime
) -> list[Result]:
    """A serious case about ``worker_id`` ended (closed, rejected or merged): their held results
    become final, unless another serious case about them is still open. Call it after the
    case's new state is in the session."""
    await session.flush()
    still_open = await session.execute(
        _open_serious_cases().where(col(Case.worker_id) == worker_id)
    )
    if still_open.first() is not None:
        return []
    found = await session.execute(
        select(Result).where(col(Result.worker_id) == worker_id, col(Result.status) == "held")
    )
    released = list(found.scalars())
    for result in released:
        result.status, result.updated_at = "final", now
    return released


# The public rows -----------------------------------------------------------------------------


def _public_select(cycle_id: int) -> Any:
    # Only these columns: an ID number or phone cannot leak from a query that never reads it.
    return (
        select(
            col(Result.id),
            col(Result.unit_id),
            col(Unit.name),
            col(Worker.name),
            col(Result.post_title),
            col(Result.grade),
            col(Result.renew),
        )
        .join(Unit, col(Unit.id) == col(Result.unit_id))
        .join(Worker, col(Worker.id) == col(Result.worker_id))
        .where(col(Result.cycle_id) == cycle_id)
    )


def _public(row: Any) -> PublicRow:
    result_id, unit_id, unit_name, name, post, grade, renew = row
    return PublicRow(
        result_id=int(result_id),
        unit_id=int(unit_id),
        unit_name=str(unit_name),
        masked_name=mask_name(str(name)),
        post=str(post),
        grade=str(grade),
        renew=bool(renew),
    )


async def public_rows(
    *, session: AsyncSession, cycle_id: int, unit_id: int | None = None
) -> list[PublicRow]:
    """The published list of the cycle (or of one unit), by unit then name."""
    statement = _public_select(cycle_id)
    if unit_id is not None:
        statement = statement.where(col(Result.unit_id) == unit_id)
    found = await session.execute(
        statement.order_by(col(Unit.name), col(Worker.name), col(Result.id))
    )
    return [_public(row) for row in found.all()]


@dataclass(frozen=True)
class Page:
    rows: list[PublicRow]
    page: int
    pages: int
    total: int


async def unit_page(
    *, session: AsyncSession, cycle_id: int, unit_id: int, page: int, per_page: int
) -> Page:
    """One page of a unit's list; a page past the end shows the last one."""
    total = await session.execute(
        select(func.count())
        .select_from(Result)
        .where(col(Result.cycle_id) == cycle_id, col(Result.unit_id) == unit_id)
    )
    count = int(total.scalar_one())
    pages = max(1, -(-count // per_page))
    page = min(max(page, 0), pages - 1)
    found = await session.execute(
        _public_select(cycle_id)
        .where(col(Result.unit_id) == unit_id)
        .order_by(col(Worker.name), col(Result.id))
        .offset(page * per_page)
        .limit(per_page)
    )
    return Page([_public(row) for row in found.all()], page, pages, count)


async def published_units(*, session: AsyncSession, cycle_id: int) -> list[tuple[int, str, int]]:
    """Units with results in the cycle: id, name and how many results, by name."""
    found = await session.execute(
        select(col(Unit.id), col(Unit.name), func.count(col(Result.id)))
        .join(Result, col(Result.unit_id) == col(Unit.id))
        .where(col(Result.cycle_id) == cycle_id)
        .group_by(col(Unit.id), col(Unit.name))
        .order_by(col(Unit.name))
    )
    return [(int(i or 0), str(n), int(c)) for i, n, c in found.all()]


async def search_public(
    *, session: AsyncSession, cycle_id: int, query: NameQuery, limit: int
) -> list[PublicRow]:
    """Rows whose masked name the query matches (storage.name_search): a full name finds what
    its masked form finds, nothing narrower. At most ``limit`` + 1, so the caller can tell
    there are more."""
    if query.empty:
        return []
    found = await session.execute(
        _public_select(cycle_id)
        .where(query.narrowing(Worker.name))
        .order_by(col(Unit.name), col(Worker.name), col(Result.id))
    )
    # The worker's name is the row's fourth column; it is only ever shown masked.
    matched = (_public(row) for row in found.all() if query.matches(str(row[3])))
    return list(itertools.islice(matched, limit + 1))


async def published_result(*, session: AsyncSession, result_id: int) -> Result | None:
    """A result of the cycle whose 公示 is open (the in-bot complaint button names one)."""
    found = await session.execute(
        select(Result)
        .join(Cycle, col(Cycle.id) == col(Result.cycle_id))
        .where(col(Result.id) == result_id, col(Cycle.state) == OPEN)
    )
    return found.scalars().first()


@dataclass(frozen=True)
class NoticeLists:
    """What the printable notices show: the window and each unit's public rows."""

    year: int
    opens_on: date
    closes_on: date
    units: list[tuple[str, list[PublicRow]]]


async def notice_lists(
    *,
    session: AsyncSession,
    year: int,
    unit_name: str | None = None,
    unit_id: int | None = None,
) -> NoticeLists:
    """Every unit's list of an opened (or closed) 公示, or only one unit's (by name or id):
    only that unit's rows are read."""
    cycle = await cycle_by_year(session, year)
    if cycle.gongshi_opens_on is None or cycle.gongshi_closes_on is None:
        raise PublicationError(NO_WINDOW, year=year)
    if unit_name is not None:
        named = select(col(Unit.id)).where(col(Unit.name) == unit_name.strip())
        unit_id = (await session.execute(named)).scalar_one_or_none()
        if unit_id is None:
            raise PublicationError(UNKNOWN_UNIT, unit=unit_name, year=year)
    rows = await public_rows(session=session, cycle_id=_id(cycle), unit_id=unit_id)
    units = [(unit_rows[0].unit_name, unit_rows) for unit_rows in _group_by_unit(rows).values()]
    if unit_id is not None and not units:
        raise PublicationError(UNKNOWN_UNIT, unit=unit_name or str(unit_id), year=year)
    return NoticeLists(year, cycle.gongshi_opens_on, cycle.gongshi_closes_on, units)


async def gongshi_status(*, session: AsyncSession, year: int) -> Status:
    cycle = await cycle_by_year(session, year)
    cycle_id = _id(cycle)
    counted = await session.execute(
        select(col(Result.status), func.count())
        .where(col(Result.cycle_id) == cycle_id)
        .group_by(col(Result.status))
    )
    by_status = {str(status): int(n) for status, n in counted.all()}
    posts = (
        await session.execute(
            select(col(ChannelPost.deleted_at).is_not(None), col(Outbox.state))
            .outerjoin(Outbox, col(Outbox.id) == col(ChannelPost.outbox_id))
            .where(col(ChannelPost.cycle_id) == cycle_id)
        )
    ).all()
    return Status(
        year=cycle.year,
        state=cycle.state,
        opens_on=cycle.gongshi_opens_on,
        closes_on=cycle.gongshi_closes_on,
        results=sum(int(n) for n in by_status.values()),
        final=int(by_status.get("final", 0)),
        held=int(by_status.get("held", 0)),
        posts=len(posts),
        posted=sum(1 for deleted, state in posts if state == SENT and not deleted),
        withdrawn=sum(1 for deleted, _state in posts if deleted),
    )


def _id(row: Cycle | Outbox) -> int:
    assert row.id is not None
    return row.id
