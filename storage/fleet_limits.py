"""Telegram's limits kept for the whole fleet on PostgreSQL: every sender process takes each
message's turn from the database, in one statement, so N processes together stay within the
overall rate and each chat's rate as one would.

Two shared clocks, both on the database's time (``clock_timestamp()``), so hosts whose clocks
differ a little still agree:
- the overall budget, one ``send_budget`` row: ``next_at`` is when the fleet's next message may
  go, a generic cell rate: each turn moves it on by ``1 / rate``, and after a quiet spell it is
  pulled up to at most ``burst`` turns behind now, so a burst never exceeds ``burst``;
- each chat's next turn in ``chat_pause``, the table that already holds a chat's pause after a
  429: a message takes the chat's turn only if it has come, and moves it on by the chat's gap.

A 429 pushes the overall budget past its retry_after: every process waits (``pause_fleet``).
The replies a process sends to people's own updates go out at once, outside the budget, and are
charged to it after the fact (``charge_fleet``): the outbox's next turns wait for their share.
SQLite runs one process; its sender paces in memory alone and never calls this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

BUDGET = "all"
# A chat's turn counts as come this much early: the database's clock and the caller's differ
# by the time of a round trip.
SLACK_SECONDS = 0.005

_TAKE = text(
    """
WITH t AS (
    SELECT extract(epoch FROM clock_timestamp())::float8 AS now,
           coalesce((SELECT next_at FROM send_budget WHERE name = :name), 0)::float8 AS planned
),
chat AS (
    INSERT INTO chat_pause (chat_id, not_before)
    SELECT :chat, to_timestamp(greatest(t.now, t.planned) + :gap) FROM t
    ON CONFLICT (chat_id) DO UPDATE SET not_before = excluded.not_before
    WHERE chat_pause.not_before <= to_timestamp((SELECT now FROM t) + :slack)
    RETURNING 1
),
fleet AS (
    INSERT INTO send_budget (name, next_at)
    SELECT :name, t.now + :interval FROM t WHERE EXISTS (SELECT 1 FROM chat)
    ON CONFLICT (name) DO UPDATE
    SET next_at = greatest(send_budget.next_at, (SELECT now FROM t) - :behind) + :interval
    RETURNING next_at
)
SELECT t.now,
       (SELECT next_at FROM fleet),
       (SELECT extract(epoch FROM not_before)::float8 FROM chat_pause WHERE chat_id = :chat)
FROM t
"""
)

_PAUSE = text(
    """
INSERT INTO send_budget (name, next_at)
VALUES (:name, extract(epoch FROM clock_timestamp())::float8 + :wait)
ON CONFLICT (name) DO UPDATE SET next_at = greatest(send_budget.next_at, excluded.next_at)
"""
)


# Replies charged to the budget (``charge_fleet``) hold the next turn back this much at most.
MAX_OWED_SECONDS = 1.0

_CHARGE = text(
    """
WITH t AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS now)
INSERT INTO send_budget (name, next_at)
SELECT :name, least(t.now - :behind + :spent, t.now + :owed) FROM t
ON CONFLICT (name) DO UPDATE
SET next_at = greatest(
    send_budget.next_at,
    least(
        greatest(send_budget.next_at, (SELECT now FROM t) - :behind) + :spent,
        (SELECT now FROM t) + :owed
    )
)
"""
)


@dataclass(frozen=True)
class Turn:
    """``wait``: seconds until the message may go (its overall turn is taken); ``chat_wait``:
    above 0, the chat's turn has not come and nothing was taken."""

    wait: float
    chat_wait: float = 0.0


async def take_turn(
    session: AsyncSession, *, chat_id: int, rate: float, burst: int, chat_gap: float
) -> Turn:
    """Take the next overall turn for a message to ``chat_id``, if the chat's turn has come."""
    interval = 1.0 / rate
    row = (
        await session.execute(
            _TAKE,
            {
                "name": BUDGET,
                "chat": chat_id,
                "gap": chat_gap,
                "slack": SLACK_SECONDS,
                "interval": interval,
                "behind": _behind(burst, interval),
            },
        )
    ).one()
    now, next_at, chat_at = float(row[0]), row[1], row[2]
    if next_at is None:
        return Turn(wait=0.0, chat_wait=max(float(chat_at or now) - now, SLACK_SECONDS))
    return Turn(wait=max(0.0, float(next_at) - interval - now))


def _behind(burst: int, interval: float) -> float:
    """How far behind now the budget may be pulled up to after a quiet spell: a burst."""
    return max(burst - 1, 0) * interval


async def pause_fleet(session: AsyncSession, *, seconds: float) -> None:
    """Nothing goes from any process for ``seconds`` (Telegram answered 429)."""
    await session.execute(_PAUSE, {"name": BUDGET, "wait": seconds})


async def charge_fleet(session: AsyncSession, *, messages: float, rate: float, burst: int) -> None:
    """``messages`` sent outside the budget (replies to people's own updates) take their turns
    after the fact: the next turn of every process moves on by ``messages / rate``, from no
    further back than a burst, and by at most MAX_OWED_SECONDS ahead of now; a pause (a 429's)
    that reaches further stays as it is."""
    interval = 1.0 / rate
    await session.execute(
        _CHARGE,
        {
            "name": BUDGET,
            "spent": messages * interval,
            "behind": _behind(burst, interval),
            "owed": MAX_OWED_SECONDS,
        },
    )
