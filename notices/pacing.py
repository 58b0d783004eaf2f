"""Telegram's limits kept on our side, so the sender is never the one to hit them: a token
bucket for all messages, a turn per chat (one a second for a private chat, twenty a minute for
a group or channel), and a pause for everything when Telegram says to wait anyway.

All times are ``time.monotonic()`` seconds.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from storage.outbox_queue import ClaimedRow

# The share of the overall rate that replies sent beside the outbox may take from it: the rest is
# the outbox's whatever the replies, so that an alert is never held up by a crowd writing in.
REPLY_SHARE = 2 / 3


class Pacer:
    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        private_per_second: float,
        group_per_minute: float,
        now: float,
    ) -> None:
        self.rate = rate
        self.burst = float(max(burst, 1))
        self.tokens = 1.0
        self.stamp = now
        self.private_gap = 1.0 / private_per_second
        self.group_gap = 60.0 / group_per_minute
        self.paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        # What replies may still be charged (see spend), and when it was last topped up.
        self.allowance = rate * REPLY_SHARE
        self.allowance_stamp = now

    def gap(self, chat_id: int) -> float:
        # Private chats have positive ids; groups and channels negative ones.
        return self.private_gap if chat_id > 0 else self.group_gap

    def global_wait(self, now: float) -> float:
        """Seconds until any message may go (0: now)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        wait = 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate
        return max(wait, self.paused_until - now)

    def spend(self, messages: int, now: float) -> float:
        """``messages`` went out beside this pacer (replies to a person's own update): they
        took their share of the overall rate, so the next messages here wait for it. Returns
        how many were charged: at most REPLY_SHARE of the rate a second (a bucket of that rate
        and size), so that the outbox always keeps the rest, its alerts and channel pages
        among them, however many people write at once."""
        self.global_wait(now)  # the bucket filled up to now first
        share = self.rate * REPLY_SHARE
        self.allowance = min(share, self.allowance + (now - self.allowance_stamp) * share)
        self.allowance_stamp = now
        charged = min(float(messages), max(self.allowance, 0.0))
        self.allowance -= charged
        self.tokens -= charged
        return charged

    def chat_ready_at(self, chat_id: int) -> float:
        return self._chat_next.get(chat_id, 0.0)

    def take(self, chat_id: int, now: float) -> None:
        """A message to ``chat_id`` goes now."""
        self.tokens -= 1
        self._chat_next[chat_id] = max(now, self._chat_next.get(chat_id, 0.0)) + self.gap(chat_id)

    def hold_chat(self, chat_id: int, until: float) -> None:
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), until)

    def pause_all(self, until: float) -> None:
        """Telegram's 429 does not say whether the chat or the bot hit the limit: nothing is
        sent before its retry_after, to any chat."""
        self.paused_until = max(self.paused_until, until)

    def forget_idle(self, now: float) -> None:
        """Drop chats whose turn has long come, so the table does not grow with every chat."""
        if len(self._chat_next) > 50_000:
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}


class ReplyMeter:
    """The replies a process sends to people's own updates, which go out at once with the
    update's answer and not through the outbox, told to that process's outbox sender so that
    together they keep Telegram's overall rate: the sender leaves room for them (``Pacer.spend``
    and, on PostgreSQL, the fleet's budget). Nobody listening (no sender in the process): the
    count goes nowhere."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[int], None]] = []

    def listen(self, listener: Callable[[int], None]) -> Callable[[], None]:
        """``listener`` is told each count from now on, until the function returned is called."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def count(self, messages: int = 1) -> None:
        for listener in self._listeners:
            listener(messages)


def backoff(attempts: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter: senders that failed together retry apart."""
    ceiling = min(cap, base * 2 ** min(attempts, 30))
    return max(base / 2, rng.uniform(0, ceiling))


@dataclass(order=True)
class _Entry:
    priority: int
    row_id: int
    chat_id: int = field(compare=False)


class ChatQueues:
    """Claimed rows per chat, most urgent first, and which chats may be sent to now.

    A chat is busy while one of its messages is in flight, so a chat's messages leave in
    order; it is sleeping until its turn comes. Heaps hold stale entries, checked when popped.
    """

    def __init__(self) -> None:
        self._rows: dict[int, list[tuple[int, int, ClaimedRow]]] = {}
        self._ready: list[_Entry] = []
        self._sleeping: list[tuple[float, int]] = []
        self._ready_at: dict[int, float] = {}
        self._busy: set[int] = set()
        self.count = 0

    def add(self, row: ClaimedRow, now: float, ready_at: float) -> None:
        heap = self._rows.setdefault(row.chat_id, [])
        heapq.heappush(heap, (row.priority, row.id, row))
        self.count += 1
        self._ready_at[row.chat_id] = max(self._ready_at.get(row.chat_id, 0.0), ready_at)
        self._schedule(row.chat_id, now)

    def held_for(self, chat_id: int) -> int:
        return len(self._rows.get(chat_id, ()))

    def ids(self) -> list[int]:
        return [row.id for heap in self._rows.values() for _, _, row in heap]

    def _schedule(self, chat_id: int, now: float) -> None:
        heap = self._rows.get(chat_id)
        if not heap or chat_id in self._busy:
            return
        at = self._ready_at.get(chat_id, 0.0)
        if at <= now:
            priority, row_id, _ = heap[0]
            heapq.heappush(self._ready, _Entry(priority, row_id, chat_id))
        else:
            heapq.heappush(self._sleeping, (at, chat_id))

    def pop(self, now: float) -> ClaimedRow | None:
        """The most urgent row whose chat may be sent to now; its chat becomes busy."""
        while self._sleeping and self._sleeping[0][0] <= now:
            _, chat_id = heapq.heappop(self._sleeping)
            self._schedule(chat_id, now)
        while self._ready:
            entry = heapq.heappop(self._ready)
            heap = self._rows.get(entry.chat_id)
            if (
                not heap
                or entry.chat_id in self._busy
                or heap[0][1] != entry.row_id
                or self._ready_at.get(entry.chat_id, 0.0) > now
            ):
                continue
            _, _, row = heapq.heappop(heap)
            if not heap:
                del self._rows[entry.chat_id]
            self.count -= 1
            self._busy.add(entry.chat_id)
            return row
        return None

    def next_wake(self) -> float | None:
        return self._sleeping[0][0] if self._sleeping else None

    def finished(self, chat_id: int, ready_at: float, now: float) -> None:
        """A message to ``chat_id`` is done; its next may go at ``ready_at``."""
        self._busy.discard(chat_id)
        if chat_id in self._rows:
            self._ready_at[chat_id] = ready_at
            self._schedule(chat_id, now)
        else:
            # The pacer keeps the chat's turn; ``add`` brings it back with the next row.
            self._ready_at.pop(chat_id, None)

    def hold(self, chat_id: int, until: float, now: float) -> None:
        """Nothing more to ``chat_id`` before ``until`` (Telegram said so, maybe to another
        sender): its rows held here wait."""
        if chat_id not in self._rows or until <= self._ready_at.get(chat_id, 0.0):
            return
        self._ready_at[chat_id] = until
        self._schedule(chat_id, now)

    def remove_chat(self, chat_id: int) -> list[ClaimedRow]:
        heap = self._rows.pop(chat_id, [])
        self.count -= len(heap)
        return [row for _, _, row in heap]

    def take_all(self) -> list[ClaimedRow]:
        rows = [row for heap in self._rows.values() for _, _, row in heap]
        self._rows.clear()
        self._ready.clear()
        self._sleeping.clear()
        self.count = 0
        return rows
