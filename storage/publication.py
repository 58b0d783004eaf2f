"""The 公示's tables and queries: a cycle's state and window, its channel posts (withdrawn at
the close), its results (final or held while a serious case is open), and the public rows.
Opening and closing are use cases (services.publication).

A public row is a masked name, the unit, the post, the grade and the renewal decision: the
queries here never read an ID number or a phone, so nothing built on them can show one.

Each function runs in the caller's transaction and commits nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.cases import FINAL_STATES
from domain.workdays import WorkCalendar
from messages.i18n import N_
from storage.models import (
    Case,
    ChannelPost,
    Cycle,
    Outbox,
    Result,
    Subscription,
    TelegramUser,
)
from storage.outbox import PRIORITY, enqueue
from storage.outbox_queue import FAILED, PENDING, SENDING, SENT

OPEN, CLOSED = "open", "closed"
TOPIC = "gongshi"
SERIOUS = "serious"
# Withdrawing the lists is due at the close, ahead of any broadcast still being delivered.
WITHDRAW_PRIORITY = PRIORITY["alert"] + 10
WITHDRAWN = "withdrawn: the 公示 closed before it was posted"

NO_CYCLE = N_("There is no {year} assessment cycle.")
NO_WINDOW = N_(
    "The 公示 of {year} has not been opened: open it first, so the notice shows its period."
)
UNKNOWN_UNIT = N_("No unit named {unit} has results in the {year} cycle.")


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


# Opening and closing ------------------------------------------------------------------------


async def open_year(session: AsyncSession) -> int | None:
    """The year whose 公示 is open, if any."""
    other = await session.execute(select(col(Cycle.year)).where(col(Cycle.state) == OPEN))
    return other.scalar_one_or_none()


async def queued_pages(session: AsyncSession, *, cycle_id: int) -> set[tuple[int, int]]:
    """The (unit, page) channel posts already queued for the cycle."""
    existing = await session.execute(
        select(col(ChannelPost.unit_id), col(ChannelPost.page)).where(
            col(ChannelPost.cycle_id) == cycle_id
        )
    )
    return {(int(unit), int(page)) for unit, page in existing.all()}


async def subscribers(session: AsyncSession) -> list[tuple[int, str]]:
    """Who is told when a 公示 opens, with their language: the subscribers still reachable."""
    found = await session.execute(
        select(col(Subscription.user_id), col(TelegramUser.language))
        .join(TelegramUser, col(TelegramUser.id) == col(Subscription.user_id))
        .where(col(Subscription.topic) == TOPIC, col(TelegramUser.blocked_bot).is_(False))
        .order_by(col(Subscription.user_id))
    )
    return [(int(user_id), str(language)) for user_id, language in found.all()]


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


async def settle_results(session: AsyncSession, *, cycle_id: int, now: datetime) -> tuple[int, int]:
    """The cycle's results become final, or held for a worker with a serious case still
    open: (held, final)."""
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
