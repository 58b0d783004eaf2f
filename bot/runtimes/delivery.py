"""Sending an ``Outcome`` back through a runtime's Bot API client.

The order and the error handling are decided here once; each runtime only supplies a
``Sender`` that makes the calls and turns its framework's errors into ``SendError``.
Errors never reach the framework: a reply that cannot be sent is logged, because the
update it answers is already committed and must not be handled again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from handlers.types import FileReply, Incoming, Outcome, Reply

log = logging.getLogger(__name__)

SEND_TRIES = 3
# A direct reply waits out Telegram's flood control only if it is this short: a longer
# wait would hold up the rest of the batch, and such a reply is better logged than sent
# minutes late.
MAX_RETRY_AFTER = 30.0


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
    async def send_text(self, chat_id: int, reply: Reply) -> None: ...

    async def edit_text(self, chat_id: int, message_id: int, reply: Reply) -> None: ...

    async def send_file(self, chat_id: int, reply: FileReply) -> None: ...

    async def answer_callback(self, callback_id: str, text: str | None, alert: bool) -> None: ...


@dataclass(frozen=True)
class Delivery:
    sender: Sender
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def deliver(self, incoming: Incoming, outcome: Outcome) -> None:
        # The button's spinner spins until answered, also for a redelivered press.
        if incoming.callback_id is not None:
            await self._try(
                "answerCallbackQuery",
                lambda: self.sender.answer_callback(
                    incoming.callback_id or "", outcome.callback_answer, outcome.callback_alert
                ),
            )
        if outcome.duplicate:
            return
        for reply in outcome.replies:
            await self._reply(outcome.chat_id, incoming.message_id, reply)

    async def _reply(self, chat_id: int, message_id: int | None, reply: Reply | FileReply) -> None:
        if isinstance(reply, FileReply):
            await self._try("sendFile", lambda: self.sender.send_file(chat_id, reply))
        elif reply.edit and message_id is not None and _editable(reply):
            await self._edit(chat_id, message_id, reply)
        else:
            await self._send(chat_id, reply)

    async def _send(self, chat_id: int, reply: Reply) -> None:
        await self._try("sendMessage", lambda: self.sender.send_text(chat_id, reply))

    async def _edit(self, chat_id: int, message_id: int, reply: Reply) -> None:
        try:
            await self._with_retries(lambda: self.sender.edit_text(chat_id, message_id, reply))
        except SendError as exc:
            if exc.not_modified:
                return  # the message already says this: a double press, nothing to do
            if exc.status != 400:
                log.warning("editMessageText to chat %s failed: %s", chat_id, exc)
                return
            # Too old, deleted, or not the bot's: say it in a new message instead.
            await self._send(chat_id, reply)

    async def _try(self, method: str, call: Callable[[], Awaitable[None]]) -> None:
        try:
            await self._with_retries(call)
        except SendError as exc:
            log.warning("%s failed: %s", method, exc)

    async def _with_retries(self, call: Callable[[], Awaitable[None]]) -> None:
        for attempt in range(1, SEND_TRIES + 1):
            try:
                await call()
                return
            except SendError as exc:
                retry_after = exc.retry_after
                if retry_after is None or retry_after > MAX_RETRY_AFTER or attempt == SEND_TRIES:
                    raise
                await self.sleep(retry_after)


def _editable(reply: Reply) -> bool:
    """Only inline keyboards can ride on an edit; a reply keyboard needs a new message."""
    return reply.request_contact is None and not reply.remove_keyboard
