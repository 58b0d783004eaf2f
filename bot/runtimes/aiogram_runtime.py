"""The default runtime: aiogram's Bot object as our ``Transport`` and ``Sender``.

aiogram's own Dispatcher and routers are not used: routing is ours (``handlers.core``),
and aiogram's polling acknowledges updates before they are handled (see ``serving``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from bot.runtimes.delivery import SendError
from bot.runtimes.serving import ALLOWED_UPDATES
from messages.replies import FileReply, Reply

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def make_bot(token: str, api_base: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base))
    return Bot(token, session=session)


class AiogramSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_text(self, chat_id: int, reply: Reply) -> int | None:
        sent = await _translate_errors(
            self.bot.send_message(
                chat_id,
                reply.text,
                reply_markup=markup(reply),
                protect_content=reply.protect or None,
            )
        )
        return int(sent.message_id) if sent is not None else None

    async def remove_buttons(self, chat_id: int, message_id: int) -> None:
        await _translate_errors(
            self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
        )

    async def edit_text(self, chat_id: int, message_id: int, reply: Reply) -> None:
        inline = markup(reply)
        assert inline is None or isinstance(inline, InlineKeyboardMarkup)
        await _translate_errors(
            self.bot.edit_message_text(
                text=reply.text, chat_id=chat_id, message_id=message_id, reply_markup=inline
            )
        )

    async def send_file(self, chat_id: int, reply: FileReply) -> None:
        upload = BufferedInputFile(reply.content, filename=reply.filename)
        caption = reply.caption or None
        if reply.as_photo:
            await _translate_errors(self.bot.send_photo(chat_id, upload, caption=caption))
        else:
            await _translate_errors(self.bot.send_document(chat_id, upload, caption=caption))

    async def answer_callback(self, callback_id: str, text: str | None, alert: bool) -> None:
        await _translate_errors(
            self.bot.answer_callback_query(callback_id, text=text, show_alert=alert or None)
        )


def markup(reply: Reply) -> Markup | None:
    if reply.request_contact is not None:
        return ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=reply.request_contact, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    if reply.buttons:
        return InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=b.text, callback_data=b.data, url=b.url) for b in row]
                for row in reply.buttons
            ]
        )
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


_STATUS: tuple[tuple[type[TelegramAPIError], int], ...] = (
    (TelegramBadRequest, 400),
    (TelegramForbiddenError, 403),
    (TelegramNotFound, 404),
    (TelegramServerError, 500),
)


async def _translate_errors(request: Awaitable[Any]) -> Any:
    try:
        return await request
    except TelegramRetryAfter as exc:
        raise SendError(exc.message, status=429, retry_after=float(exc.retry_after)) from exc
    except TelegramAPIError as exc:
        status = next((code for kind, code in _STATUS if isinstance(exc, kind)), None)
        raise SendError(exc.message, status=status) from exc


class AiogramTransport:
    def __init__(self, token: str, api_base: str) -> None:
        self.bot = make_bot(token, api_base)
        self.sender = AiogramSender(self.bot)

    async def open(self) -> str | None:
        me = await self.bot.get_me()
        return me.username

    async def get_updates(self, offset: int | None, timeout: int) -> Sequence[Update]:
        return await self.bot.get_updates(
            offset=offset,
            timeout=timeout,
            allowed_updates=ALLOWED_UPDATES,
            request_timeout=timeout + 10,
        )

    def parse_update(self, data: dict[str, Any]) -> Update:
        return Update.model_validate(data, context={"bot": self.bot})

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def delete_webhook(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def close(self) -> None:
        await self.bot.session.close()
