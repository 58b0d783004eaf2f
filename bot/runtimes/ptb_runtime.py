"""The alternative runtime: python-telegram-bot's Bot object as our ``Transport`` and
``Sender`` (``gongshi run --runtime ptb``).

PTB's Application, Updater and handlers are not used: routing is ours (``handlers.core``),
the Updater acknowledges updates before they are handled (see ``serving``), and its
CommandHandler ignores a ``/start`` that carries no ``bot_command`` entity.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from typing import Any

# Take PTB 22's coming timedelta form of ``retry_after`` now (``_seconds`` reads either), so
# its constructor stops warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.runtimes.delivery import SendError
from bot.runtimes.serving import ALLOWED_UPDATES
from messages.replies import FileReply, Reply

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def make_bot(token: str, api_base: str) -> Bot:
    return Bot(token, base_url=f"{api_base}/bot", base_file_url=f"{api_base}/file/bot")


# PTB's HTTP client (httpx) slows down as more requests share its pool: measured against the
# sandbox, 4 calls in flight sent 1.7 times as fast as 100. Four also keep up with Telegram's
# 30 messages/s at a real round trip of 100 ms.
CALLS_IN_FLIGHT = 4


class PtbSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.in_flight = asyncio.Semaphore(CALLS_IN_FLIGHT)

    async def send_text(self, chat_id: int, reply: Reply) -> int | None:
        sent = await self._call(
            self.bot.send_message(
                chat_id,
                reply.text,
                reply_markup=markup(reply),
                protect_content=reply.protect or None,
            )
        )
        return int(sent.message_id) if sent is not None else None

    async def remove_buttons(self, chat_id: int, message_id: int) -> None:
        await self._call(self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id))

    async def edit_text(self, chat_id: int, message_id: int, reply: Reply) -> None:
        inline = markup(reply)
        assert inline is None or isinstance(inline, InlineKeyboardMarkup)
        await self._call(
            self.bot.edit_message_text(
                reply.text, chat_id=chat_id, message_id=message_id, reply_markup=inline
            )
        )

    async def send_file(self, chat_id: int, reply: FileReply) -> None:
        caption = reply.caption or None
        if reply.as_photo:
            await self._call(
                self.bot.send_photo(
                    chat_id, reply.content, filename=reply.filename, caption=caption
                )
            )
        else:
            await self._call(
                self.bot.send_document(
                    chat_id, reply.content, filename=reply.filename, caption=caption
                )
            )

    async def answer_callback(self, callback_id: str, text: str | None, alert: bool) -> None:
        await self._call(self.bot.answer_callback_query(callback_id, text=text, show_alert=alert))

    async def _call(self, request: Awaitable[Any]) -> Any:
        async with self.in_flight:
            return await _translate_errors(request)


def markup(reply: Reply) -> Markup | None:
    if reply.request_contact is not None:
        return ReplyKeyboardMarkup(
            [[KeyboardButton(reply.request_contact, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    if reply.buttons:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b.text, callback_data=b.data, url=b.url) for b in row]
                for row in reply.buttons
            ]
        )
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


async def _translate_errors(request: Awaitable[Any]) -> Any:
    try:
        return await request
    except RetryAfter as exc:
        raise SendError(exc.message, status=429, retry_after=_seconds(exc)) from exc
    except BadRequest as exc:  # before TelegramError: PTB makes it a NetworkError
        raise SendError(exc.message, status=400) from exc
    except Forbidden as exc:
        raise SendError(exc.message, status=403) from exc
    except TelegramError as exc:
        raise SendError(exc.message) from exc


def _seconds(exc: RetryAfter) -> float:
    # PTB 22 warns that ``retry_after`` turns from int into timedelta; accept either.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class PtbTransport:
    def __init__(self, token: str, api_base: str) -> None:
        self.bot = make_bot(token, api_base)
        self.sender = PtbSender(self.bot)

    async def open(self) -> str | None:
        await self.bot.initialize()  # getMe
        return self.bot.username

    async def get_updates(self, offset: int | None, timeout: int) -> Sequence[Update]:
        # PTB adds ``timeout`` to the read timeout of a long poll by itself.
        return await self.bot.get_updates(
            offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
        )

    def parse_update(self, data: dict[str, Any]) -> Update:
        return Update.de_json(data, self.bot)

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def delete_webhook(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def close(self) -> None:
        await self.bot.shutdown()
