"""What both runtimes share: long polling, the webhook listener, and the order of work.

Neither framework's own loop is used, because both acknowledge an update before it is
handled: aiogram's ``start_polling`` advances the getUpdates offset as soon as it has
started a task for an update, python-telegram-bot's ``Updater`` as soon as the update is in
its queue, and both frameworks' webhook servers answer 200 before the handler has run. A
process killed then would lose the update. Here an update is acknowledged (the offset
moved past it, or the webhook answered 200) only after the ``Dispatcher`` has committed it.

A runtime supplies a ``Transport``: its framework's Bot object behind five calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from aiohttp import web

from bot.runtimes.convert import to_incoming
from bot.runtimes.delivery import Delivery, ReplyOutbox, Sender
from handlers.core import Dispatcher
from handlers.types import Incoming, Outcome

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25
ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Transport(Protocol):
    @property
    def sender(self) -> Sender: ...

    async def open(self) -> str | None:
        """Check the token (getMe) and return the bot's username."""

    async def get_updates(self, offset: int | None, timeout: int) -> Sequence[Any]: ...

    def parse_update(self, data: dict[str, Any]) -> Any: ...

    async def set_webhook(self, url: str, secret: str) -> None: ...

    async def delete_webhook(self) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Webhook:
    url: str
    host: str
    port: int
    secret: str

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


class ChatLocks:
    """One lock per chat, so a chat's updates are handled in order while different chats
    run concurrently. asyncio locks are fair: tasks started in update order get the lock
    in update order."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._holders[chat_id] = self._holders.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._holders[chat_id] -= 1
            if not self._holders[chat_id]:
                del self._holders[chat_id], self._locks[chat_id]


def _nothing() -> None:
    pass


class GroupCommit:
    """The updates handed in together (a getUpdates batch, or webhook requests arriving at
    once), and those that arrive while a commit is under way, are handled together in one
    transaction (``handle_many``): one commit, one fsync, a few set-wise statements instead of
    each update's own. Callers hold their chat's lock, so a batch never holds two updates of
    one chat.

    On SQLite (one writer at a time) it is the only way to more than one commit's worth of
    updates per fsync. On PostgreSQL too: bench/under_load.py, the first day of a 公示 at 125
    updates/s with the largest import, measured p99 8.4 s with ten updates in flight each in
    its own transaction (the process fell behind), 0.62 s with group commits. A batch that
    fails (a deadlock with another process's batch, say) is handled again update by update."""

    # Telegram's getUpdates hands out at most 100: a whole batch in one commit.
    MAX_BATCH = 100

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.waiting: list[tuple[Incoming, asyncio.Future[Outcome], Callable[[], None]]] = []
        self.writing = False

    async def handle(self, incoming: Incoming, committed: Callable[[], None] = _nothing) -> Outcome:
        """The update's outcome once committed; ``committed`` is called first, as soon as the
        batch's transaction is, before any of the batch's callers resumes."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.waiting.append((incoming, future, committed))
        if not self.writing:
            self.writing = True
            try:
                # One turn of the loop first, so the updates handed in at the same moment
                # (their tasks started together) join this commit instead of the next.
                await asyncio.sleep(0)
                await self._drain()
            finally:
                self.writing = False
        return await future

    async def _drain(self) -> None:
        while self.waiting:
            batch = self.waiting[: self.MAX_BATCH]
            del self.waiting[: self.MAX_BATCH]
            try:
                outcomes = await self.dispatcher.handle_many([incoming for incoming, _, _ in batch])
            except BaseException as exc:  # cancelled: nobody may wait forever
                for _, future, _ in batch + self.waiting:
                    if not future.done():
                        future.set_exception(exc)
                self.waiting.clear()
                raise
            for _, _, committed in batch:
                committed()
            for (_, future, _), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)
            # Let the updates that arrived meanwhile join the next batch.
            await asyncio.sleep(0)


@dataclass
class Pipeline:
    """Framework update → ``Incoming`` → Dispatcher (commit) → replies.

    Replies are sent after the commit, so a slow Bot API never holds the database up; the
    chat's lock is kept until they are sent, so a chat's replies stay in order."""

    dispatcher: Dispatcher
    delivery: Delivery
    bot_username: str | None = None
    locks: ChatLocks = field(default_factory=ChatLocks)
    group: GroupCommit = field(init=False)
    # The updates of earlier batches still being answered (``process_batch``).
    answering: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.group = GroupCommit(self.dispatcher)

    async def process(self, update: Any, committed: Callable[[], None] = _nothing) -> None:
        """Handle the update and send its replies; ``committed`` is called once, as soon as
        the update is committed (or found to need no commit), before its replies go out."""
        once = _Once(committed)
        try:
            try:
                incoming = to_incoming(update, self.bot_username)
            except Exception:  # a malformed update must not stop the others
                log.exception("could not read update %s", getattr(update, "update_id", "?"))
                return
            if incoming is None:
                return
            async with self.locks.hold(incoming.chat_id):
                outcome = await self.group.handle(incoming, once)
                once()
                # One turn of the loop first: the poll, woken by the same commit, then asks for
                # the next batch before a hundred replies take the loop.
                await asyncio.sleep(0)
                try:
                    await self.delivery.deliver(incoming, outcome)
                except Exception:  # committed: a failed reply must not get the update redone
                    log.exception("could not send the replies to update %s", incoming.update_id)
        finally:
            once()

    async def process_batch(self, updates: Sequence[Any]) -> None:
        """Returns once every update of the batch is committed, so the batch may be
        acknowledged and the next one fetched while the replies are still being sent
        (``drain`` waits for them). A process killed before they are sent loses those
        replies, as it would if the batch were delivered again: a redelivered update is
        recorded as handled and has no second effect, and says nothing either."""
        if not updates:
            return
        all_committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        left = len(updates)

        def one_committed() -> None:
            nonlocal left
            left -= 1
            if not left and not all_committed.done():  # done: the poll was cancelled
                all_committed.set_result(None)

        for update in updates:
            task = asyncio.create_task(self.process(update, one_committed))
            self.answering.add(task)
            task.add_done_callback(self.answering.discard)
        await all_committed

    async def drain(self) -> None:
        """Wait for the replies of every batch handed in."""
        while self.answering:
            await asyncio.gather(*self.answering, return_exceptions=True)


class _Once:
    def __init__(self, call: Callable[[], None]) -> None:
        self.call: Callable[[], None] | None = call

    def __call__(self) -> None:
        call, self.call = self.call, None
        if call is not None:
            call()


class StartupError(Exception):
    """The Bot API refused the token or could not be reached at start-up."""


async def serve(
    transport: Transport,
    dispatcher: Dispatcher,
    *,
    webhook: Webhook | None = None,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[str | None], None] | None = None,
    counted: Callable[[int], None] | None = None,
) -> None:
    """Run until ``stop`` is set; then finish the updates in hand and return. ``counted`` is
    told of every message the replies send or change (see Delivery)."""
    stop = stop or asyncio.Event()
    try:
        async with starting():
            username = await transport.open()
            if webhook is None:
                await transport.delete_webhook()  # getUpdates is refused while a webhook is set
        delivery = Delivery(
            transport.sender, later=ReplyOutbox(dispatcher.sessions), counted=counted
        )
        pipeline = Pipeline(dispatcher, delivery, username)
        with start_up_frozen():
            if webhook is None:
                if on_ready:
                    on_ready(username)
                await poll(transport, pipeline, stop)
            else:
                async with listening(transport, pipeline, webhook):
                    if on_ready:
                        on_ready(username)
                    await stop.wait()
    finally:
        await transport.close()


@contextlib.contextmanager
def start_up_frozen() -> Iterator[None]:
    """What the process holds once it is ready to serve (its modules, the frameworks' models,
    the dispatcher, the pools) left out of the cyclic garbage collector's passes while the bot
    serves, the garbage among it collected first; put back when serving ends.

    Python's full collection walks every object the process holds, and the updates' short-lived
    objects set one off every few hundred updates: about 300,000 objects at start-up, 0.3 s a
    pass, the bot standing still meanwhile (measured with bench/throughput.py's 500 users: 7
    passes, 2.1 s of a 7 s run). Left out, those objects cost the passes nothing; what is built
    later is collected as ever, and reference counting frees anything, frozen or not, as soon as
    it is let go. Should the collector be frozen already (another bot in this process), it is
    left as it is."""
    if gc.get_freeze_count():
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.asynccontextmanager
async def starting() -> AsyncIterator[None]:
    """A refused token, an unreachable API or a refused webhook is a ``StartupError``."""
    try:
        yield
    except Exception as exc:
        raise StartupError(str(exc) or type(exc).__name__) from exc


async def poll(transport: Transport, pipeline: Pipeline, stop: asyncio.Event) -> None:
    offset: int | None = None
    backoff = 1.0
    try:
        while not stop.is_set():
            fetch = asyncio.ensure_future(transport.get_updates(offset, POLL_TIMEOUT))
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            if not fetch.done():
                fetch.cancel()
                break
            try:
                updates = fetch.result()
            except Exception as exc:
                log.warning("getUpdates failed (%s); retrying in %.0f s", exc, backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            if updates:
                # Committed, the batch is acknowledged by the next call: its replies are
                # sent meanwhile.
                await pipeline.process_batch(updates)
                offset = max(update.update_id for update in updates) + 1
    finally:
        await pipeline.drain()
    if offset is not None:
        # Confirm the last batch now, or the next start would be handed it again (harmless,
        # it is recorded as processed, but slow after a large batch).
        with contextlib.suppress(Exception):
            await transport.get_updates(offset, 0)


@contextlib.asynccontextmanager
async def listening(
    transport: Transport, pipeline: Pipeline, webhook: Webhook
) -> AsyncIterator[None]:
    """Serve the webhook path, then tell Telegram to push there; on exit, finish the
    requests in hand. The webhook stays set: other processes may share it."""
    app = web.Application()
    app.router.add_post(webhook.path, webhook_handler(transport, pipeline, webhook.secret))
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=10)
    await runner.setup()
    try:
        async with starting():
            await web.TCPSite(runner, webhook.host, webhook.port).start()
            await transport.set_webhook(webhook.url, webhook.secret)
        yield
    finally:
        await runner.cleanup()


def webhook_handler(transport: Transport, pipeline: Pipeline, secret: str) -> Any:
    expected = secret.encode()

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="secret token missing")
        # "replace" turns undecodable bytes into "?", which no valid secret contains.
        if not hmac.compare_digest(given.encode(errors="replace"), expected):
            return web.Response(status=403, text="wrong secret token")
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise TypeError("not an object")
            update = transport.parse_update(data)
        # JSONDecodeError and pydantic's are ValueErrors; a body nested deeper than the
        # interpreter's recursion limit (json's decoder, or a framework walking nested
        # messages) is a RecursionError, and just as much not an update.
        except (ValueError, TypeError, KeyError, RecursionError):
            return web.Response(status=400, text="not an update")
        # 200 only once the update is committed: if we die before, Telegram sends it again.
        await pipeline.process(update)
        return web.Response()

    return handle


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGINT and SIGTERM finish the updates in hand, then stop; a second signal stops at
    once, which loses nothing: what was not committed was not acknowledged either."""

    def on_signal() -> None:
        if stop.is_set():
            os._exit(1)
        stop.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
