"""Sending an ``Outcome`` back through a runtime's Bot API client.

The order and the error handling are decided here once; each runtime only supplies a
``Sender`` that makes the calls and turns its framework's errors into ``SendError``.
Errors never reach the framework: the update a reply answers is already committed and must
not be handled again.

What the answers do:
- 429 with ``retry_after``: the chat is paused until then, here and in the database, so the
  outbox's senders (of every process) wait for it too. If the wait fits in what is left of
  ``INLINE_WAIT`` for this update, the reply waits in-line and is tried again; otherwise it and
  the replies after it are put into the outbox (``ReplyLater``), which delivers them after the
  pause, in order. Replies made for the chat while it is paused go the same way, behind them.
  Nothing is lost, and nothing sent twice: a 429 means Telegram did not take the message;
- 400 on an edit: "message is not modified" is a double press, nothing more to do; any other
  400 (too old, deleted, not the bot's) sends the text as a new message instead;
- anything else (403, other 400s, 5xx, a lost connection): logged, the reply is not sent.
  A blocked bot or a refused message would fail again; after a 5xx or a lost connection
  Telegram may have taken the message, and sending it again could say it twice.
The button's callback answer is never put off: Telegram forgets the press within seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.types import Incoming, Outcome
from messages.replies import FileReply, Reply
from storage import outbox_queue
from storage.db import transaction
from storage.outbox import enqueue_replies

log = logging.getLogger(__name__)

# Seconds of Telegram's flood control a user's answer may wait in-line, for one update in
# all: the chat's lock is held meanwhile, and a longer wait is the outbox's to keep.
INLINE_WAIT = 5.0
# Telegram's waits are whole seconds; a zero would let the in-line loop spin.
MIN_WAIT = 1.0
# Paused chats remembered here; expired ones are dropped beyond this many.
MAX_PAUSED = 1000
# Chats whose latest keyboard is remembered (the oldest forgotten first): past this, a chat's
# earlier keyboard simply stays, as it does after a restart.
MAX_KEYBOARDS = 10_000


class SendError(Exception):
    """A failed Bot API call: ``retry_after`` is set for a 429, ``status`` where known."""

    def __init__(
        self, description: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(description)
        self.description = description
        self.status = status
        self.retry_after = retry_after

    @property
    def not_modified(self) -> bool:
        return "message is not modified" in self.description.lower()


class Sender(Protocol):
    async def send_text(self, chat_id: int, reply: Reply) -> int | None:
        """Send; the new message's id where the framework tells it."""

    async def edit_text(self, chat_id: int, message_id: int, reply: Reply) -> None: ...

    async def remove_buttons(self, chat_id: int, message_id: int) -> None:
        """Take the inline keyboard off a message (editMessageReplyMarkup without one)."""

    async def send_file(self, chat_id: int, reply: FileReply) -> None: ...

    async def answer_callback(self, callback_id: str, text: str | None, alert: bool) -> None: ...


class ReplyLater(Protocol):
    """Where replies go that Telegram made us put off, and where a chat's pause is told."""

    async def pause(self, chat_id: int, until: datetime) -> None: ...

    async def defer(
        self, chat_id: int, replies: Sequence[Reply | FileReply], not_before: datetime
    ) -> None: ...


@dataclass(frozen=True)
class ReplyOutbox:
    """The outbox as ``ReplyLater``: a pause every sender reads, the replies as its rows."""

    sessions: async_sessionmaker[AsyncSession]

    async def pause(self, chat_id: int, until: datetime) -> None:
        async with transaction(self.sessions) as session:
            await outbox_queue.pause_chat(session, chat_id=chat_id, until=until)

    async def defer(
        self, chat_id: int, replies: Sequence[Reply | FileReply], not_before: datetime
    ) -> None:
        async with transaction(self.sessions) as session:
            await enqueue_replies(session, chat_id=chat_id, replies=replies, not_before=not_before)


class _PutOff(Exception):
    """Telegram asked to wait longer than the update's in-line budget has left."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"flood control until {until.isoformat()}")
        self.until = until


@dataclass
class _Budget:
    left: float


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Delivery:
    sender: Sender
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    later: ReplyLater | None = None
    inline_wait: float = INLINE_WAIT
    wall: Callable[[], datetime] = _utcnow
    # Told of every message sent or changed here (not a button's answer), for the outbox to
    # leave room for within Telegram's overall rate (notices.pacing.ReplyMeter.count).
    counted: Callable[[int], None] | None = None
    _paused: dict[int, datetime] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # Per chat, the reply whose buttons are the live ones: a newer reply with buttons takes
    # them off it, so an answered step leaves no 继续/返回/取消 behind to press again.
    _keyboards: dict[int, int] = field(default_factory=dict, init=False, compare=False, repr=False)

    async def deliver(self, incoming: Incoming, outcome: Outcome) -> None:
        budget = _Budget(self.inline_wait)
        chat_id = outcome.chat_id
        # The button's spinner spins until answered, also for a redelivered press.
        if incoming.callback_id is not None:
            try:
                await self._try(
                    "answerCallbackQuery",
                    chat_id,
                    budget,
                    lambda: self.sender.answer_callback(
                        incoming.callback_id or "", outcome.callback_answer, outcome.callback_alert
                    ),
                    message=False,
                )
            except _PutOff as off:
                log.warning("answerCallbackQuery to chat %s not sent: %s", chat_id, off)
        if outcome.duplicate:
            return
        replies = outcome.replies
        for index, reply in enumerate(replies):
            until = self._paused_until(chat_id)
            if until is None:
                try:
                    await self._reply(chat_id, incoming.message_id, reply, budget)
                    continue
                except _PutOff as off:
                    until = off.until
            await self._defer(chat_id, replies[index:], until)
            return

    async def _reply(
        self, chat_id: int, message_id: int | None, reply: Reply | FileReply, budget: _Budget
    ) -> None:
        if isinstance(reply, FileReply):
            await self._try(
                "sendFile", chat_id, budget, lambda: self.sender.send_file(chat_id, reply)
            )
        elif reply.edit and message_id is not None and _editable(reply):
            await self._edit(chat_id, message_id, reply, budget)
        else:
            await self._send(chat_id, reply, budget)

    async def _send(self, chat_id: int, reply: Reply, budget: _Budget) -> None:
        sent: list[int | None] = []

        async def send() -> None:
            sent.append(await self.sender.send_text(chat_id, reply))

        await self._try("sendMessage", chat_id, budget, send)
        if sent and sent[-1] is not None:
            await self._keyboard_moved(chat_id, sent[-1], reply)

    async def _edit(self, chat_id: int, message_id: int, reply: Reply, budget: _Budget) -> None:
        try:
            await self._with_retries(
                chat_id, budget, lambda: self.sender.edit_text(chat_id, message_id, reply)
            )
        except SendError as exc:
            if exc.not_modified:
                return  # the message already says this: a double press, nothing to do
            if exc.status != 400:
                log.warning("editMessageText to chat %s failed: %s", chat_id, exc)
                return
            # Too old, deleted, or not the bot's: say it in a new message instead.
            await self._send(chat_id, reply, budget)
            return
        await self._keyboard_moved(chat_id, message_id, reply)

    async def _keyboard_moved(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """``message_id`` now shows ``reply``: if it has buttons they are the chat's live ones
        and the previous live keyboard is taken off; if not, it has none left to take off."""
        previous = self._keyboards.pop(chat_id, None)
        if not reply.buttons or reply.request_contact is not None:
            if previous is not None and previous != message_id:
                self._keyboards[chat_id] = previous
            return
        self._keyboards[chat_id] = message_id
        if len(self._keyboards) > MAX_KEYBOARDS:
            del self._keyboards[next(iter(self._keyboards))]
        if previous is None or previous == message_id:
            return
        try:
            await self.sender.remove_buttons(chat_id, previous)
        except SendError as exc:
            # Deleted, too old, or already bare: nothing there to press any more anyway.
            log.info("keyboard of message %s in chat %s stays: %s", previous, chat_id, exc)
        else:
            if self.counted is not None:
                self.counted(1)

    async def _try(
        self,
        method: str,
        chat_id: int,
        budget: _Budget,
        call: Callable[[], Awaitable[None]],
        *,
        message: bool = True,
    ) -> None:
        try:
            await self._with_retries(chat_id, budget, call, message=message)
        except SendError as exc:
            log.warning("%s failed: %s", method, exc)

    async def _with_retries(
        self,
        chat_id: int,
        budget: _Budget,
        call: Callable[[], Awaitable[None]],
        *,
        message: bool = True,
    ) -> None:
        """``call`` until Telegram takes it or refuses it for good; ``message``: it sends or
        changes a message, counted for the overall rate once taken."""
        waited: datetime | None = None
        while True:
            try:
                await call()
            except SendError as exc:
                if exc.retry_after is None:
                    raise
                wait = max(exc.retry_after, MIN_WAIT)
                waited = self.wall() + timedelta(seconds=wait)
                await self._pause(chat_id, waited)
                if wait > budget.left:
                    raise _PutOff(waited) from exc
                budget.left -= wait
                await self.sleep(wait)
                continue
            if message and self.counted is not None:
                self.counted(1)
            if waited is not None and self._paused.get(chat_id) == waited:
                del self._paused[chat_id]  # waited out: the chat's next replies go straight
            return

    async def _pause(self, chat_id: int, until: datetime) -> None:
        known = self._paused.get(chat_id)
        self._paused[chat_id] = until if known is None else max(known, until)
        if len(self._paused) > MAX_PAUSED:
            now = self.wall()
            for chat in [c for c, t in self._paused.items() if t <= now]:
                del self._paused[chat]
        if self.later is None:
            return
        try:
            await self.later.pause(chat_id, until)
        except Exception:  # the reply still waits; only the outbox may not know to
            log.exception("could not record the flood wait of chat %s", chat_id)

    def _paused_until(self, chat_id: int) -> datetime | None:
        until = self._paused.get(chat_id)
        if until is None:
            return None
        if until <= self.wall():
            del self._paused[chat_id]
            return None
        return until

    async def _defer(
        self, chat_id: int, replies: Sequence[Reply | FileReply], until: datetime
    ) -> None:
        if self.later is None:
            log.warning(
                "%d replies to chat %s not sent: Telegram asked to wait until %s",
                len(replies),
                chat_id,
                until.isoformat(),
            )
            return
        try:
            await self.later.defer(chat_id, replies, until)
        except Exception:
            log.exception("%d replies to chat %s could not be kept", len(replies), chat_id)
            return
        log.info(
            "%d replies to chat %s put into the outbox until %s",
            len(replies),
            chat_id,
            until.isoformat(),
        )


def _editable(reply: Reply) -> bool:
    """Only inline keyboards can ride on an edit; a reply keyboard needs a new message, and so
    does a protected text (protection is set when a message is sent, never by an edit)."""
    return reply.request_contact is None and not reply.remove_keyboard and not reply.protect
