"""The same conversation over real HTTP against the sandbox, on aiogram and on
python-telegram-bot: a menu and its button, a contact, files, and updates delivered twice."""

from __future__ import annotations

import asyncio
import copy
import struct
import zlib

from sqlalchemy import func, select

from handlers.types import Incoming, User
from storage.models import ConversationState, ProcessedUpdate


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_start_shows_a_menu_and_its_button_edits_it(bot, client):
    user = await client.create_persona("小明")
    await client.send_text(user, "/start")
    [menu] = await client.wait_for(user, 1)
    assert menu["text"] == "Menu"
    assert menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "menu:hello"

    await client.click(user, "Hello")
    messages = await client.wait_until(user, lambda ms: any(m["edited"] for m in ms))
    bot_messages = [m for m in messages if m["from_bot"]]
    assert len(bot_messages) == 1, "the press edits the menu, it sends nothing new"
    assert bot_messages[0]["message_id"] == menu["message_id"]
    assert bot_messages[0]["text"] == "You pressed hello"
    view = await client.chat(user)
    assert [(a["text"], a["message_id"]) for a in view["answers"]] == [("Hi!", menu["message_id"])]


async def test_a_command_addressed_to_the_bot_by_name_is_a_command(bot, client):
    user = await client.create_persona("小红")
    await client.send_text(user, "/START@gongshi_bot")
    [menu] = await client.wait_for(user, 1)
    assert menu["text"] == "Menu"


async def test_a_shared_contact_reaches_the_conversation(bot, client):
    user = await client.create_persona("小刚", phone="+8613800000001")
    await client.send_text(user, "/phone")
    [ask] = await client.wait_for(user, 1)
    keyboard = ask["reply_markup"]["keyboard"]
    assert keyboard[0][0] == {"text": "Share my phone", "request_contact": True}
    assert ask["reply_markup"]["one_time_keyboard"] is True

    await client.click(user, "Share my phone")
    replies = await client.wait_for(user, 2)
    assert replies[-1]["text"] == f"contact +8613800000001 of {user['id']}"


async def test_files_reach_the_conversation_as_file_refs(bot, client):
    user = await client.create_persona("小丽")
    await client.send_file(user, "名单.csv", b"name,grade\n", "document")
    [document] = await client.wait_for(user, 1)
    assert document["text"] == "file document 名单.csv 11"

    photo = tiny_png()
    await client.send_file(user, "photo.png", photo, "photo")
    replies = await client.wait_for(user, 2)
    assert replies[-1]["text"].startswith("file photo None ")


async def test_state_is_kept_between_messages(bot, client, storage):
    user = await client.create_persona("老王")
    await client.send_text(user, "/echo")
    await client.send_text(user, "一")
    await client.send_text(user, "二")
    replies = await client.wait_for(user, 3)
    assert [m["text"] for m in replies] == ["Say something", "echo 1: 一", "echo 2: 二"]
    async with storage.sessions() as session:
        state = await session.get(ConversationState, user["id"])
    assert state is not None and (state.state, state.data["count"]) == ("echo", 2)


async def test_the_same_update_twice_has_one_effect(dispatcher, storage):
    incoming = Incoming(update_id=555, user=User(77, "甲"), chat_id=77, command="echo")
    first = await dispatcher.handle(incoming)
    again = await dispatcher.handle(incoming)
    assert not first.duplicate and [r.text for r in first.replies] == ["Say something"]
    assert again.duplicate and again.replies == []
    async with storage.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert count == 1


async def test_a_redelivered_update_is_answered_but_not_redone(bot, client, sandbox):
    """Telegram may deliver an update again (our process died after the commit, before the
    offset moved): the button's spinner is still stopped, and nothing happens twice."""
    user = await client.create_persona("小李")
    await client.send_text(user, "/echo")
    await client.send_text(user, "hello")
    await client.wait_for(user, 2)
    await client.send_text(user, "/start")
    [*_, menu] = await client.wait_for(user, 3)

    await bot.stop()
    await client.press(user, menu["message_id"], "menu:hello")
    await client.send_text(user, "/echo")
    redelivered = copy.deepcopy(sandbox.state.pending)
    assert len(redelivered) == 2
    await bot.start()
    await client.wait_for(user, 4)
    await wait_until_confirmed(sandbox)
    calls_before = len(await client.calls())

    sandbox.state.pending.extend(redelivered)
    sandbox.state.touch()
    await wait_until_confirmed(sandbox)

    new_calls = (await client.calls())[calls_before:]
    methods = [c["method"] for c in new_calls if c["method"] != "getUpdates"]
    # The press is answered again (Telegram refuses a second answer: that is logged only).
    assert methods == ["answerCallbackQuery"]
    bot_messages = await client.bot_messages(user)
    assert [m["text"] for m in bot_messages] == [
        "Say something",
        "echo 1: hello",
        "You pressed hello",
        "Say something",
    ]
    assert bot_messages[2]["edits"] == 1


async def wait_until_confirmed(sandbox, timeout: float = 10.0) -> None:
    """Until the bot has acknowledged every update (its next getUpdates moved the offset)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while sandbox.state.pending:
        assert loop.time() < deadline, f"still pending: {sandbox.state.pending}"
        await asyncio.sleep(0.05)
