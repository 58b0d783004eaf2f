"""The outbox as a queue shared by several senders: claiming rows under a lease, recording
what became of them, and giving back the rows of a sender that died.

A row is claimed by exactly one sender. On PostgreSQL the claim is ``SELECT ... FOR UPDATE
SKIP LOCKED``, so concurrent senders pass over each other's rows instead of waiting; on SQLite,
where writers take turns, one ``UPDATE ... WHERE id IN (SELECT ...) RETURNING`` is atomic.
Every result is written only ``WHERE claimed_by = <this sender>``: a sender whose lease ran out
and was taken over cannot overwrite the new owner's result.

A chat Telegram asked us to leave alone (a 429 on a direct reply or on an outbox message) is
paused in ``chat_pause``: no sender claims its rows before the pause ends, and senders holding
some of its rows in memory read the pauses at every claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox, TelegramUser
from storage.models.ops import ChatPause, OutboxAttachment

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
_ERROR_LENGTH = 500


def _table() -> Table:
    return cast(Table, Outbox.__table__)  # type: ignore[attr-defined]


def _pauses() -> Table:
    return cast(Table, ChatPause.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ClaimedRow:
    """A claimed row, detached from any session: senders hold these in memory."""

    id: int
    chat_id: int
    priority: int
    method: str
    payload: dict[str, Any]
    attachment_id: int | None
    attempts: int


@dataclass(frozen=True)
class Sent:
    id: int
    message_id: int | None
    at: datetime
    # A post to a group or channel: its 公示 may have closed while it was on its way.
    public: bool = False


@dataclass(frozen=True)
class Retry:
    id: int
    not_before: datetime
    error: str


@dataclass(frozen=True)
class Release:
    """Given back untouched (not an attempt): the sender stopped, or the chat's turn is far."""

    id: int
    not_before: datetime


@dataclass(frozen=True)
class Failed:
    id: int
    error: str


@dataclass(frozen=True)
class ChatGone:
    """The chat cannot be written to: fail ``ids`` and every other pending row for it."""

    chat_id: int
    error: str
    ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Pause:
    """Telegram said to wait: nothing goes to ``chat_id`` before ``until``, from any sender."""

    chat_id: int
    until: datetime


Outcome = Sent | Retry | Release | Failed | ChatGone | Pause


async def claim(
    session: AsyncSession,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[ClaimedRow]:
    """Claim up to ``limit`` due rows, most urgent first, for ``lease``."""
    if limit <= 0:
        return []
    t = _table()
    p = _pauses()
    paused = exists().where(p.c.chat_id == t.c.chat_id, p.c.not_before > now)
    due = and_(t.c.state == PENDING, t.c.not_before <= now, ~paused)
    order = (t.c.priority, t.c.id)
    claim_values = {"state": SENDING, "claimed_by": worker, "claimed_until": now + lease}
    returned = (
        t.c.id,
        t.c.chat_id,
        t.c.priority,
        t.c.method,
        t.c.payload,
        t.c.attachment_id,
        t.c.attempts,
    )
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        locked = select(t.c.id).where(due).order_by(*order).limit(limit)
        ids = list((await session.execute(locked.with_for_update(skip_locked=True))).scalars())
        if not ids:
            return []
        statement = update(t).where(t.c.id.in_(ids))
    else:
        subquery = select(t.c.id).where(due).order_by(*order).limit(limit).scalar_subquery()
        statement = update(t).where(t.c.id.in_(subquery))
    result = await session.execute(statement.values(**claim_values).returning(*returned))
    rows = [
        ClaimedRow(
            id=int(r.id),
            chat_id=int(r.chat_id),
            priority=int(r.priority),
            method=str(r.method),
            payload=dict(r.payload or {}),
            attachment_id=r.attachment_id,
            attempts=int(r.attempts),
        )
        for r in result
    ]
    return sorted(rows, key=lambda row: (row.priority, row.id))


async def record(session: AsyncSession, *, worker: str, outcomes: Sequence[Outcome]) -> None:
    """Write what became of claimed rows, in the caller's transaction."""
    t = _table()
    mine = and_(t.c.id == bindparam("row_id"), t.c.claimed_by == worker, t.c.state == SENDING)
    sent = [o for o in outcomes if isinstance(o, Sent)]
    if sent:
        await session.execute(
            update(t)
            .where(mine)
            .values(
                state=SENT,
                sent_at=bindparam("at"),
                message_id=bindparam("message_id"),
                attempts=t.c.attempts + 1,
                claimed_by=None,
                claimed_until=None,
                last_error="",
            ),
            [{"row_id": o.id, "at": o.at, "message_id": o.message_id} for o in sent],
        )
    retries = [o for o in outcomes if isinstance(o, Retry)]
    if retries:
        await session.execute(
            update(t)
            .where(mine)
            .values(
                state=PENDING,
                not_before=bindparam("not_before"),
                attempts=t.c.attempts + 1,
                claimed_by=None,
                claimed_until=None,
                last_error=bindparam("error"),
            ),
            [
                {"row_id": o.id, "not_before": o.not_before, "error": o.error[:_ERROR_LENGTH]}
                for o in retries
            ],
        )
    released = [o for o in outcomes if isinstance(o, Release)]
    if released:
        await session.execute(
            update(t)
            .where(mine)
            .values(
                state=PENDING,
                not_before=bindparam("not_before"),
                claimed_by=None,
                claimed_until=None,
            ),
            [{"row_id": o.id, "not_before": o.not_before} for o in released],
        )
    failed = [o for o in outcomes if isinstance(o, Failed)]
    if failed:
        await session.execute(
            update(t)
            .where(mine)
            .values(
                state=FAILED,
                attempts=t.c.attempts + 1,
                claimed_by=None,
                claimed_until=None,
                last_error=bindparam("error"),
            ),
            [{"row_id": o.id, "error": o.error[:_ERROR_LENGTH]} for o in failed],
        )
    for gone in (o for o in outcomes if isinstance(o, ChatGone)):
        await fail_chat(session, worker=worker, chat_id=gone.chat_id, error=gone.error)
    for pause in (o for o in outcomes if isinstance(o, Pause)):
        await pause_chat(session, chat_id=pause.chat_id, until=pause.until)


async def pause_chat(session: AsyncSession, *, chat_id: int, until: datetime) -> None:
    """Nothing is sent to ``chat_id`` before ``until``; a later pause already recorded stays."""
    p = _pauses()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(p).values(chat_id=chat_id, not_before=until)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[p.c.chat_id],
            set_={"not_before": statement.excluded.not_before},
            where=p.c.not_before < statement.excluded.not_before,
        )
    )


async def chat_pauses(session: AsyncSession, *, now: datetime) -> dict[int, datetime]:
    """The chats paused at ``now``, and until when."""
    p = _pauses()
    found = await session.execute(select(p.c.chat_id, p.c.not_before).where(p.c.not_before > now))
    return {int(chat_id): until for chat_id, until in found.all()}


async def forget_pauses(session: AsyncSession, *, before: datetime) -> int:
    """Drop pauses over before ``before``, so the table holds only the chats still waiting."""
    p = _pauses()
    result = await session.execute(delete(p).where(p.c.not_before < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def fail_chat(session: AsyncSession, *, worker: str, chat_id: int, error: str) -> int:
    """Fail every pending row for ``chat_id`` (and this sender's claimed ones); a private
    chat's user is marked as having blocked the bot, so nothing new is queued for them."""
    t = _table()
    result = await session.execute(
        update(t)
        .where(
            t.c.chat_id == chat_id,
            or_(t.c.state == PENDING, and_(t.c.state == SENDING, t.c.claimed_by == worker)),
        )
        .values(
            state=FAILED,
            claimed_by=None,
            claimed_until=None,
            last_error=error[:_ERROR_LENGTH],
        )
    )
    if chat_id > 0:
        users = cast(Table, TelegramUser.__table__)  # type: ignore[attr-defined]
        await session.execute(update(users).where(users.c.id == chat_id).values(blocked_bot=True))
    return int(getattr(result, "rowcount", 0) or 0)


async def recover_expired(session: AsyncSession, *, now: datetime) -> int:
    """Give back rows whose sender's lease ran out (it died, or lost the database)."""
    t = _table()
    result = await session.execute(
        update(t)
        .where(t.c.state == SENDING, t.c.claimed_until < now)
        .values(state=PENDING, claimed_by=None, claimed_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def extend_lease(
    session: AsyncSession, *, worker: str, ids: Sequence[int], until: datetime
) -> None:
    """Keep rows a sender still holds in memory (waiting for a chat's turn) its own."""
    if not ids:
        return
    t = _table()
    await session.execute(
        update(t)
        .where(t.c.id.in_(list(ids)), t.c.claimed_by == worker, t.c.state == SENDING)
        .values(claimed_until=until)
    )


async def attachment(session: AsyncSession, attachment_id: int) -> tuple[str, bytes] | None:
    found = await session.get(OutboxAttachment, attachment_id)
    return None if found is None else (found.filename, bytes(found.content))


async def due_count(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Rows waiting or being sent; with ``now``, only those already due (a paused chat's
    rows are not)."""
    t = _table()
    statement = select(func.count()).select_from(t).where(t.c.state.in_((PENDING, SENDING)))
    if now is not None:
        p = _pauses()
        paused = exists().where(p.c.chat_id == t.c.chat_id, p.c.not_before > now)
        statement = statement.where(or_(t.c.state == SENDING, and_(t.c.not_before <= now, ~paused)))
    return int((await session.execute(statement)).scalar_one())
