"""aiogram and python-telegram-bot, unmodified, pointed at the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import telegram
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from sandbox_helpers import TOKEN
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.sandbox import RunningSandbox
from bot.sandbox.client import SandboxClient


@pytest.fixture
async def aiogram_bot(sandbox: RunningSandbox) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.url)))
    yield bot
    await bot.session.close()


def ptb_bot(sandbox: RunningSandbox) -> telegram.Bot:
    return telegram.Bot(
        TOKEN, base_url=sandbox.url + "/bot", base_file_url=sandbox.url + "/file/bot"
    )


async def test_aiogram_bot_talks_to_the_sandbox(
    aiogram_bot: Bot, sb: SandboxClient, user: dict[str, Any]
) -> None:
    me = await aiogram_bot.get_me()
    assert me.username == "gongshi_bot"
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="投诉", callback_data="menu:complain")]]
    )
    sent = await aiogram_bot.send_message(
        user["id"], "<b>欢迎</b>", parse_mode="HTML", reply_markup=keyboard
    )
    assert sent.text == "欢迎" and sent.entities and sent.entities[0].type == "bold"
    assert isinstance(sent.reply_markup, InlineKeyboardMarkup)
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "menu:complain"
    contact_keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="分享手机号", request_contact=True)]], resize_keyboard=True
    )
    await aiogram_bot.send_message(user["id"], "请分享手机号", reply_markup=contact_keyboard)
    view = await sb.chat(user)
    assert view["reply_keyboard"]["keyboard"][0][0]["request_contact"] is True
    document = await aiogram_bot.send_document(
        user["id"], BufferedInputFile("报告内容".encode(), filename="报告.txt"), caption="附件"
    )
    assert document.document is not None and document.document.file_name == "报告.txt"
    downloaded = await aiogram_bot.download(document.document.file_id)
    assert downloaded is not None and downloaded.read() == "报告内容".encode()
    calls = await sb.calls("sendDocument")
    assert calls[0]["params"]["document"].startswith("attach://")  # aiogram's way


async def test_aiogram_parses_updates_and_raises_telegram_errors(
    aiogram_bot: Bot, sb: SandboxClient, user: dict[str, Any]
) -> None:
    sent = await aiogram_bot.send_message(
        user["id"],
        "选择",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]]
        ),
    )
    await sb.send_command(user, "/start", "inv_abc")
    await sb.press(user, sent.message_id, "a")
    await sb.share_contact(user)
    updates = await aiogram_bot.get_updates(timeout=1)
    assert updates[0].message is not None and updates[0].message.text == "/start inv_abc"
    assert updates[1].callback_query is not None and updates[1].callback_query.data == "a"
    contact = updates[2].message.contact if updates[2].message else None
    assert (
        contact is not None
        and contact.user_id == user["id"]
        and contact.phone_number == "+8613800000001"
    )
    await sb.inject_fault("sendMessage", "retry_after", retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await aiogram_bot.send_message(user["id"], "x")
    assert caught.value.retry_after == 3
    await sb.set_blocked(user)
    with pytest.raises(TelegramForbiddenError):
        await aiogram_bot.send_message(user["id"], "x")


async def test_aiogram_polling_dispatcher_answers(
    aiogram_bot: Bot, sb: SandboxClient, user: dict[str, Any]
) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="投诉", callback_data="c")]]
        )
        await message.answer("欢迎使用公示通", reply_markup=keyboard)

    @dp.callback_query(F.data == "c")
    async def complain(query: CallbackQuery) -> None:
        await query.answer("好的")
        assert query.message is not None
        await aiogram_bot.edit_message_text(
            "请描述问题", chat_id=query.message.chat.id, message_id=query.message.message_id
        )

    polling = asyncio.create_task(
        dp.start_polling(aiogram_bot, handle_signals=False, polling_timeout=1)
    )
    try:
        await sb.send(user, "/start")
        messages = await sb.wait_for(user, 1)
        assert messages[0]["text"] == "欢迎使用公示通"
        await sb.click(user, "投诉")
        edited = await sb.wait_until(user, lambda ms: ms[1]["text"] == "请描述问题")
        assert edited[1]["edited"]
        assert (await sb.chat(user))["answers"][0]["text"] == "好的"
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 10)


# PTB warns that RetryAfter.retry_after will become a timedelta; not ours to change.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_ptb_bot_talks_to_the_sandbox(
    sandbox: RunningSandbox, sb: SandboxClient, user: dict[str, Any]
) -> None:
    async with ptb_bot(sandbox) as bot:
        assert bot.username == "gongshi_bot"  # initialize() called getMe
        sent = await bot.send_message(
            user["id"],
            "菜单",
            reply_markup=telegram.InlineKeyboardMarkup(
                [[telegram.InlineKeyboardButton("查询", callback_data="track")]]
            ),
        )
        assert sent.text == "菜单"
        document = await bot.send_document(user["id"], document=b"a,b\n1,2\n", filename="t.csv")
        file = await bot.get_file(document.document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"
        await sb.send_command(user, "/start")
        await sb.press(user, sent.message_id, "track")
        updates = await bot.get_updates(timeout=1)
        assert updates[0].message.text == "/start"
        assert updates[0].message.entities[0].type == telegram.MessageEntity.BOT_COMMAND
        assert updates[1].callback_query.data == "track"
        assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
        await sb.inject_fault("sendMessage", "retry_after", retry_after=4)
        with pytest.raises(telegram.error.RetryAfter):
            await bot.send_message(user["id"], "x")


async def test_ptb_application_polls_and_its_command_handler_fires(
    sandbox: RunningSandbox, sb: SandboxClient, user: dict[str, Any]
) -> None:
    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        args = " ".join(context.args or [])
        await update.effective_message.reply_text(
            f"start {args}".strip(),
            reply_markup=telegram.InlineKeyboardMarkup(
                [[telegram.InlineKeyboardButton("确认", callback_data="ok")]]
            ),
        )

    async def confirm(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text("已确认")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(sandbox.url + "/bot")
        .base_file_url(sandbox.url + "/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(confirm))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        try:
            await sb.send_command(user, "/start", "inv_xyz")
            messages = await sb.wait_for(user, 1)
            assert messages[0]["text"] == "start inv_xyz"
            await sb.click(user, "确认")
            await sb.wait_until(user, lambda ms: ms[1]["text"] == "已确认")
        finally:
            await app.updater.stop()
            await app.stop()
    # PTB deletes any webhook before polling, as it does against Telegram.
    assert await sb.calls("deleteWebhook")
