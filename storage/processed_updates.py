"""Which updates were handled already: one row per bot and update id, committed with the
update's effects, kept only as long as Telegram may deliver the update again.

Update ids are unique per bot and only for a while: a new token on the same database, or
Telegram after a week without updates, starts numbering anew. Keyed by the bot and pruned
after a window, a new update with an old id is handled; a true redelivery (which comes
within hours) is still found.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate

PROCESSED: Table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
# Pruning is one indexed DELETE; once an hour keeps the table small and the work invisible.
PRUNE_EVERY = timedelta(hours=1)


def bot_id_of(token: SecretStr | str | None) -> int:
    """The bot's id: the number before the colon of its token (the id getMe returns). 0
    where no token is set (a dispatcher driven without a bot, as in tests)."""
    if token is None:
        return 0
    text = token.get_secret_value() if isinstance(token, SecretStr) else token
    number = text.strip().split(":", 1)[0]
    return int(number) if number.isdigit() else 0


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    name = session.bind.dialect.name if session.bind is not None else "sqlite"
    return pg_insert(table) if name == "postgresql" else sqlite_insert(table)


async def record(*, session: AsyncSession, bot_id: int, update_id: int, now: datetime) -> bool:
    """Record the update id; False when it was recorded before (a redelivery)."""
    statement = (
        dialect_insert(session, PROCESSED)
        .values(bot_id=bot_id, update_id=update_id, processed_at=now)
        .on_conflict_do_nothing()
    )
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 1))


async def record_many(
    *, session: AsyncSession, bot_id: int, update_ids: Iterable[int], now: datetime
) -> set[int]:
    """Record the ids in one round trip; the set of those not recorded before. The rows go
    as parameters of one cached statement (SQLAlchemy's "insertmanyvalues"), not as a new
    multi-row VALUES clause built and compiled for every batch."""
    statement = (
        dialect_insert(session, PROCESSED).on_conflict_do_nothing().returning(PROCESSED.c.update_id)
    )
    rows = [
        {"bot_id": bot_id, "update_id": update_id, "processed_at": now}
        for update_id in set(update_ids)
    ]
    return {int(update_id) for update_id in (await session.execute(statement, rows)).scalars()}


async def was_recorded(*, session: AsyncSession, bot_id: int, update_id: int) -> bool:
    return await session.get(ProcessedUpdate, (bot_id, update_id)) is not None


async def prune(*, session: AsyncSession, before: datetime) -> int:
    """Forget the updates handled before ``before``; how many rows went."""
    result = await session.execute(delete(PROCESSED).where(PROCESSED.c.processed_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def last_update_id(*, session: AsyncSession, bot_id: int) -> int | None:
    """The highest update id of the bot still on record."""
    found = await session.scalar(
        select(func.max(PROCESSED.c.update_id)).where(PROCESSED.c.bot_id == bot_id)
    )
    return None if found is None else int(found)
