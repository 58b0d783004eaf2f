"""The delivery loop: claims outbox rows, sends them within Telegram's limits, most urgent
first, and records what became of each.

Three tasks share one in-memory queue. The claimer tops the queue up to about two seconds of
sending, in priority order, every ``outbox_poll_seconds``; so a case alert written during a
broadcast of thousands is claimed at the next top-up and, being first in the queue, goes out
with the next free slot. The dispatcher waits for a slot of the overall rate, takes the most
urgent row whose chat has its turn, and sends it; on PostgreSQL it first takes the message's
turn from the fleet's budget in the database (``notices.fleet_limits``), so that several
processes together keep Telegram's limits. The recorder writes results in batches.

What the answers do (see ``notices.botapi.Verdict``):
- 429: the row waits ``retry_after`` and so does every send of this process (on PostgreSQL, of
  every process), since Telegram does not say whether the chat or the bot hit the limit; the
  chat is paused in the database too, so other processes' senders wait for it as well;
- 5xx, timeout, lost connection: the row is retried after an exponential backoff with jitter,
  and repeated failures slow the whole sender the same way (Telegram is probably down);
- 403, or 400 "chat not found" and the like: the row fails with the reason, so do the chat's
  other pending rows, and a user is marked as having blocked the bot;
- any other 400: that row fails; 401/404 (wrong token or API base): nothing is failed, the
  sender waits and tries again.

Before the answers, two checks of our own. A chat paused by someone else (a 429 met by a
direct reply, or by another process's sender) is not claimed before its pause ends, and rows of
it already held here wait too: the pauses are read at every claim. A post to a group or channel
that is a 公示 page is checked against the 公示 right before it goes: once the 公示 is closed the
row is cancelled, not sent, also when it was claimed or held for the channel's next turn before
the close; a page that was on its way as the 公示 closed is deleted as soon as it is recorded
as sent.

Nothing is lost: a row is "sending" under a lease until its result is committed, and a row whose
sender died is given back when the lease runs out. A row is sent twice only when the process
dies after Telegram accepted the message and before the result was committed (at most one
recorder batch, ``FLUSH_SECONDS``), or when the connection is lost after Telegram accepted it:
in both cases nothing on our side can know it went out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock, SystemClock
from notices.botapi import ApiResult, BotApi, Verdict
from notices.config import NoticeSettings
from notices.fleet_limits import FleetBudget
from notices.pacing import ChatQueues, Pacer, ReplyMeter, backoff
from storage import outbox_queue, publication
from storage.outbox import FILE_FIELD, bot_api_params
from storage.outbox_queue import (
    ChatGone,
    ClaimedRow,
    Failed,
    Outcome,
    Pause,
    Release,
    Retry,
    Sent,
)

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.1
# Rows held in memory are at most this many seconds of a chat's turns; later ones go back to
# the table with their time, so one busy chat never fills the queue.
HOLD_SECONDS = 10.0
QUEUE_SECONDS = 2.0
MIN_QUEUE = 50
MISCONFIGURED_PAUSE = 30.0
# A turn in the fleet's budget further off than this means the fleet is paused.
FLEET_SLEEP_MAX = 1.0


def worker_name() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    rate_limited: int = 0
    withdrawn: int = 0


class OutboxSender:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        api: BotApi,
        settings: NoticeSettings,
        clock: Clock | None = None,
        name: str | None = None,
        rng: random.Random | None = None,
        replies: ReplyMeter | None = None,
    ) -> None:
        """``replies``: the replies this process sends outside the outbox, for which it leaves
        room within the overall rate while it runs."""
        self.sessions = sessions
        self.replies = replies
        self.api = api
        self.settings = settings
        self.clock = clock or SystemClock(settings.timezone)
        self.name = name or worker_name()
        self.rng = rng or random.Random()
        self.stats = DeliveryStats()
        now = time.monotonic()
        self.pacer = Pacer(
            rate=settings.outbox_rate,
            burst=settings.global_burst,
            private_per_second=settings.outbox_private_per_second,
            group_per_minute=settings.outbox_group_per_minute,
            now=now,
        )
        self.queue = ChatQueues()
        # On PostgreSQL the limits are the fleet's: every turn is taken from the database too.
        self.fleet = FleetBudget.for_sessions(sessions, settings)
        self._outcomes: list[Outcome] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(settings.outbox_max_in_flight)
        self._work = asyncio.Event()
        self._transient_streak = 0
        self._capacity = max(MIN_QUEUE, int(settings.outbox_rate * QUEUE_SECONDS))
        self._finished = asyncio.Event()

    # -- running ----------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; then finish what is in flight and give back the rest."""
        self._finished = asyncio.Event()
        deaf = self.replies.listen(self._replied) if self.replies is not None else None
        tasks = [
            asyncio.create_task(self._claim_loop(stop), name="outbox-claim"),
            asyncio.create_task(self._dispatch_loop(stop), name="outbox-dispatch"),
            asyncio.create_task(self._record_loop(), name="outbox-record"),
        ]
        try:
            await stop.wait()
        finally:
            if deaf is not None:
                deaf()
            self._work.set()
            for task in tasks[:2]:
                task.cancel()
            for task in tasks[:2]:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
            self._give_back(self.queue.take_all())
            if self.fleet is not None:
                await self.fleet.settle()
            self._finished.set()
            await tasks[2]  # the recorder ends with a last flush

    def _replied(self, messages: int) -> None:
        """Replies went out beside the outbox: the next rows wait for their share of the rate
        (REPLY_SHARE of it at most), here and, on PostgreSQL, in every process."""
        charged = self.pacer.spend(messages, time.monotonic())
        if self.fleet is not None and charged > 0:
            self.fleet.spend(charged)

    async def drain(self, *, timeout: float = 30.0, wait_for_delayed: bool = False) -> None:
        """Deliver until nothing is due (with ``wait_for_delayed``, until nothing is pending at
        all, backoffs included), then stop. For tests and `gongshi notices deliver`."""
        stop = asyncio.Event()
        runner = asyncio.create_task(self.run(stop))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while loop.time() < deadline:
                await asyncio.sleep(self.settings.outbox_poll_seconds)
                if runner.done():
                    break
                if self.queue.count or self._in_flight or self._outcomes:
                    continue
                async with self.sessions() as session:
                    now = None if wait_for_delayed else self.clock.now()
                    if await outbox_queue.due_count(session, now=now) == 0:
                        break
            else:
                raise TimeoutError(f"outbox not drained after {timeout}s")
        finally:
            stop.set()
            await runner

    # -- claiming -----------------------------------------------------------------------------
    async def _claim_loop(self, stop: asyncio.Event) -> None:
        next_recovery = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_recovery:
                    self.pacer.forget_idle(time.monotonic())
                    await self._recover_and_extend()
                    next_recovery = time.monotonic() + self.settings.outbox_lease_seconds / 4
                await self._claim()
            except Exception:
                log.exception("claiming outbox rows failed; trying again")
            await asyncio.sleep(self.settings.outbox_poll_seconds)

    async def _claim(self) -> None:
        want = self._capacity - self.queue.count - len(self._in_flight)
        now_wall = self._wall_now()
        async with self.sessions() as session, session.begin():
            pauses = await outbox_queue.chat_pauses(session, now=now_wall)
            rows = await outbox_queue.claim(
                session,
                worker=self.name,
                now=now_wall,
                lease=timedelta(seconds=self.settings.outbox_lease_seconds),
                limit=want,
            )
        now = time.monotonic()
        for chat, until in pauses.items():
            # The pause is wall-clock time from the database; the pacer counts in monotonic.
            ready = now + (until - now_wall).total_seconds()
            self.pacer.hold_chat(chat, ready)
            self.queue.hold(chat, ready, now)
        later: list[Outcome] = []
        for row in rows:
            chat_at = max(self.pacer.chat_ready_at(row.chat_id), now)
            turn = chat_at + self.pacer.gap(row.chat_id) * self.queue.held_for(row.chat_id)
            if turn - now > HOLD_SECONDS:
                later.append(Release(row.id, now_wall + timedelta(seconds=turn - now)))
            else:
                self.queue.add(row, now, self.pacer.chat_ready_at(row.chat_id))
        if later:
            async with self.sessions() as session, session.begin():
                await outbox_queue.record(session, worker=self.name, outcomes=later)
        if rows:
            self._work.set()

    async def _recover_and_extend(self) -> None:
        now = self._wall_now()
        async with self.sessions() as session, session.begin():
            recovered = await outbox_queue.recover_expired(session, now=now)
            await outbox_queue.forget_pauses(session, before=now)
            await outbox_queue.extend_lease(
                session,
                worker=self.name,
                ids=self.queue.ids(),
                until=now + timedelta(seconds=self.settings.outbox_lease_seconds),
            )
        if recovered:
            log.warning("gave back %d outbox rows whose sender's lease ran out", recovered)

    # -- sending --------------------------------------------------------------------------------
    async def _dispatch_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            wait = self.pacer.global_wait(time.monotonic())
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            await self._slots.acquire()
            now = time.monotonic()
            if self.pacer.global_wait(now) > 0:
                # A 429 came back while this waited for the slot it freed: nothing may go
                # before its retry_after, to any chat.
                self._slots.release()
                continue
            row = self.queue.pop(now)
            if row is None:
                self._slots.release()
                wake = self.queue.next_wake()
                timeout = self.settings.outbox_poll_seconds if wake is None else wake - now
                self._work.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._work.wait(), max(0.001, timeout))
                continue
            self.pacer.take(row.chat_id, now)
            if self.fleet is not None and not await self._fleet_turn(row):
                self._slots.release()
                continue
            task = asyncio.create_task(self._send(row))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _fleet_turn(self, row: ClaimedRow) -> bool:
        """Wait for the row's turn in the fleet's budget; False: the row waits in the queue,
        because the chat's turn has not come (another process wrote to it), the fleet is paused
        (a 429 met by another process) or the budget could not be read."""
        assert self.fleet is not None
        try:
            turn = await self.fleet.turn(row.chat_id, self.pacer.gap(row.chat_id))
            if turn is not None and turn.chat_wait <= 0 and turn.wait <= FLEET_SLEEP_MAX:
                if turn.wait > 0:
                    await asyncio.sleep(turn.wait)
                return True
        except asyncio.CancelledError:
            self.queue.add(row, time.monotonic(), 0.0)  # stopping: given back with the rest
            raise
        now = time.monotonic()
        if turn is None:
            ready = now + self.settings.outbox_poll_seconds
        elif turn.chat_wait > 0:
            ready = now + turn.chat_wait
        else:
            # Not slept through here, where the row's lease would not be extended and a more
            # urgent row written meanwhile would wait behind it.
            ready = now + turn.wait
            self.pacer.pause_all(ready)
        self.pacer.hold_chat(row.chat_id, ready)
        self.queue.add(row, now, ready)
        self.queue.finished(row.chat_id, ready, now)
        return False

    async def _send(self, row: ClaimedRow) -> None:
        try:
            result = await self._call(row)
        except Exception as error:  # a bug must not lose the row: retry it later
            log.exception("sending outbox row %s failed", row.id)
            result = ApiResult(Verdict.TRANSIENT, None, f"internal: {type(error).__name__}")
        finally:
            self._slots.release()
        self._settle(row, result)
        self._work.set()

    async def _call(self, row: ClaimedRow) -> ApiResult:
        if row.chat_id < 0 and row.method != "deleteMessage":
            # A 公示 page may have waited here for the channel's turn while the 公示 closed.
            async with self.sessions() as session, session.begin():
                withdrawn = await publication.withdraw_claimed_post(
                    session=session, outbox_id=row.id, worker=self.name, now=self._wall_now()
                )
            if withdrawn:
                return ApiResult(Verdict.WITHDRAWN, None, publication.WITHDRAWN)
        params = bot_api_params(row.chat_id, row.method, row.payload)
        upload = None
        if row.attachment_id is not None:
            async with self.sessions() as session:
                stored = await outbox_queue.attachment(session, row.attachment_id)
            if stored is None:
                return ApiResult(Verdict.BAD_ROW, None, "attachment missing")
            upload = (FILE_FIELD[row.method], stored[0], stored[1])
        return await self.api.call(row.method, params, upload)

    def _settle(self, row: ClaimedRow, result: ApiResult) -> None:
        now = time.monotonic()
        wall = self._wall_now()
        chat = row.chat_id
        verdict = result.verdict
        if verdict is Verdict.SENT:
            self._transient_streak = 0
            self.stats.sent += 1
            public = chat < 0 and row.method != "deleteMessage"
            self._outcomes.append(Sent(row.id, result.message_id, wall, public))
            self.queue.finished(chat, self.pacer.chat_ready_at(chat), now)
        elif verdict is Verdict.RETRY_AFTER:
            wait = result.retry_after or 1.0
            self.stats.rate_limited += 1
            self.pacer.pause_all(now + wait)
            self.pacer.hold_chat(chat, now + wait)
            if self.fleet is not None:
                self.fleet.pause(wait)
            log.warning("429 for chat %s: nothing is sent for %.0f s", chat, wait)
            self._outcomes.append(Pause(chat, wall + timedelta(seconds=wait)))
            self._retry(row, wait, result.description)
            self.queue.finished(chat, now + wait, now)
        elif verdict in (Verdict.TRANSIENT, Verdict.MISCONFIGURED):
            self._transient_streak += 1
            if verdict is Verdict.MISCONFIGURED:
                log.error("the Bot API refused our token or method: %s", result.description)
                wait = MISCONFIGURED_PAUSE
                self.pacer.pause_all(now + wait)
            else:
                wait = backoff(
                    row.attempts,
                    base=self.settings.outbox_backoff_base,
                    cap=self.settings.outbox_backoff_max,
                    rng=self.rng,
                )
            if self._transient_streak >= 3:
                # Several failures in a row: the API itself is in trouble, not this message.
                pause = backoff(
                    self._transient_streak - 3,
                    base=self.settings.outbox_backoff_base,
                    cap=self.settings.outbox_backoff_max,
                    rng=self.rng,
                )
                self.pacer.pause_all(now + pause)
            self._retry(row, wait, result.description)
            self.queue.finished(chat, max(self.pacer.chat_ready_at(chat), now + wait), now)
        elif verdict is Verdict.WITHDRAWN:
            self.stats.withdrawn += 1  # already recorded as cancelled
            self.queue.finished(chat, self.pacer.chat_ready_at(chat), now)
        elif verdict is Verdict.CHAT_GONE:
            others = self.queue.remove_chat(chat)
            self.stats.failed += 1 + len(others)
            reason = _reason(result)
            log.info("chat %s cannot be written to (%s): its messages fail", chat, reason)
            self._outcomes.append(ChatGone(chat, reason, (row.id, *(o.id for o in others))))
            self.queue.finished(chat, 0.0, now)
        else:
            self.stats.failed += 1
            self._outcomes.append(Failed(row.id, _reason(result)))
            self.queue.finished(chat, self.pacer.chat_ready_at(chat), now)

    def _retry(self, row: ClaimedRow, wait: float, error: str) -> None:
        self.stats.retried += 1
        not_before = self._wall_now() + timedelta(seconds=wait)
        self._outcomes.append(Retry(row.id, not_before, error or "retry"))

    def _give_back(self, rows: Sequence[ClaimedRow]) -> None:
        wall = self._wall_now()
        self._outcomes.extend(Release(row.id, wall) for row in rows)

    # -- recording --------------------------------------------------------------------------------
    async def _record_loop(self) -> None:
        while True:
            stopping = self._finished.is_set()
            if self._outcomes:
                batch, self._outcomes = self._outcomes, []
                try:
                    async with self.sessions() as session, session.begin():
                        await outbox_queue.record(session, worker=self.name, outcomes=batch)
                        if any(isinstance(o, Sent) and o.public for o in batch):
                            # Sent just as the 公示 closed: the close could not delete it yet.
                            await publication.withdraw_leftovers(
                                session=session, now=self._wall_now()
                            )
                except Exception:
                    log.exception("recording %d outbox results failed; will retry", len(batch))
                    self._outcomes = batch + self._outcomes
                    if stopping:
                        return  # the leases run out and the rows are sent again
            if stopping and not self._outcomes:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._finished.wait(), FLUSH_SECONDS)

    def _wall_now(self) -> datetime:
        return self.clock.now().astimezone(UTC)


def _reason(result: ApiResult) -> str:
    return f"{result.status or '-'} {result.description}".strip()
