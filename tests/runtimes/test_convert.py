"""Bot API updates, parsed by aiogram and by python-telegram-bot, read as the same
``Incoming``; what the conversations do not handle is dropped, never a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import Update as AiogramUpdate
from telegram import Update as PtbUpdate

from bot.runtimes.convert import parse_command, to_incoming
from handlers.types import FileRef, SharedContact, User

USER = {"id": 42, "is_bot": False, "first_name": "小明", "username": "xm", "language_code": "en"}
CHAT = {"id": 42, "type": "private", "first_name": "小明"}


def message(**fields: Any) -> dict[str, Any]:
    return {"message_id": 7, "date": 1700000000, "chat": CHAT, "from": USER, **fields}


def parse_aiogram(data: dict[str, Any]) -> Any:
    return AiogramUpdate.model_validate(data)


def parse_ptb(data: dict[str, Any]) -> Any:
    return PtbUpdate.de_json(data, None)


@pytest.fixture(params=[parse_aiogram, parse_ptb], ids=["aiogram", "ptb"])
def parse(request: pytest.FixtureRequest) -> Any:
    return request.param


def test_text(parse):
    incoming = to_incoming(parse({"update_id": 1, "message": message(text="你好")}), "gongshi_bot")
    assert incoming is not None
    assert incoming.kind == "text" and incoming.text == "你好"
    assert incoming.user == User(42, "小明", "xm", "en")
    assert (incoming.chat_id, incoming.chat_type, incoming.message_id) == (42, "private", 7)


def test_command_without_entity_and_with_mention(parse):
    # No bot_command entity: PTB's CommandHandler would ignore this one.
    incoming = to_incoming(
        parse({"update_id": 2, "message": message(text="/Start@Gongshi_Bot  inv_abc ")}),
        "gongshi_bot",
    )
    assert incoming is not None
    assert (incoming.kind, incoming.command, incoming.argument) == ("command", "start", "inv_abc")


def test_command_for_another_bot_is_dropped(parse):
    update = parse({"update_id": 3, "message": message(text="/start@other_bot")})
    assert to_incoming(update, "gongshi_bot") is None


def test_button_carries_callback_and_message(parse):
    query = {
        "id": "cb-1",
        "from": USER,
        "chat_instance": "x",
        "data": "menu:hello",
        "message": message(text="Menu"),
    }
    incoming = to_incoming(parse({"update_id": 4, "callback_query": query}))
    assert incoming is not None
    assert (incoming.button, incoming.callback_id, incoming.message_id) == ("menu:hello", "cb-1", 7)
    assert incoming.chat_id == 42


def test_contact(parse):
    contact = {"phone_number": "+8613800000000", "first_name": "小明", "user_id": 42}
    incoming = to_incoming(parse({"update_id": 5, "message": message(contact=contact)}))
    assert incoming is not None
    assert incoming.contact == SharedContact("+8613800000000", 42, "小明", "")


def test_document(parse):
    document = {
        "file_id": "F1",
        "file_unique_id": "U1",
        "file_name": "名单.xlsx",
        "mime_type": "application/vnd.ms-excel",
        "file_size": 1234,
    }
    incoming = to_incoming(parse({"update_id": 6, "message": message(document=document)}))
    assert incoming is not None
    assert incoming.file == FileRef(
        "F1", "U1", "document", "名单.xlsx", "application/vnd.ms-excel", 1234
    )


def test_photo_takes_the_largest_size(parse):
    sizes = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 60, "file_size": 900},
        {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 853, "file_size": 9e4},
        {"file_id": "mid", "file_unique_id": "m", "width": 320, "height": 213, "file_size": 9000},
    ]
    incoming = to_incoming(parse({"update_id": 7, "message": message(photo=sizes)}))
    assert incoming is not None and incoming.file is not None
    assert (incoming.file.kind, incoming.file.file_id) == ("photo", "big")


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 8, "edited_message": message(text="edited", edit_date=1700000001)},
        {
            "update_id": 9,
            "channel_post": {
                "message_id": 1,
                "date": 1700000000,
                "chat": {"id": -100, "type": "channel", "title": "公示"},
                "text": "post",
            },
        },
        {
            "update_id": 10,
            "message": message(
                sticker={
                    "file_id": "S",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            ),
        },
    ],
    ids=["edited", "channel_post", "sticker"],
)
def test_what_conversations_do_not_handle_is_dropped(parse, update):
    assert to_incoming(parse(update), "gongshi_bot") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/help", ("help", None, "")),
        ("/start inv_x y", ("start", None, "inv_x y")),
        ("/start\ninv_x", ("start", None, "inv_x")),
        ("hello /start", None),
        ("/", None),
        ("/ start", None),
    ],
)
def test_parse_command(text, expected):
    assert parse_command(text) == expected


def test_the_chat_type_of_a_group_message_and_button_is_kept(parse):
    group = {"id": -100123, "type": "supergroup", "title": "工作群"}
    typed = to_incoming(parse({"update_id": 11, "message": message(text="你好", chat=group)}))
    query = {
        "id": "cb-2",
        "from": USER,
        "chat_instance": "y",
        "data": "menu:hello",
        "message": message(text="Menu", chat=group),
    }
    pressed = to_incoming(parse({"update_id": 12, "callback_query": query}))
    assert typed is not None and pressed is not None
    assert (typed.chat_type, typed.chat_id) == ("supergroup", -100123)
    assert (pressed.chat_type, pressed.chat_id) == ("supergroup", -100123)


def test_a_button_under_an_inline_message_is_not_taken_for_a_private_chat(parse):
    query = {"id": "cb-3", "from": USER, "chat_instance": "z", "data": "menu:hello"}
    query["inline_message_id"] = "AAAA"
    incoming = to_incoming(parse({"update_id": 13, "callback_query": query}))
    assert incoming is not None
    assert incoming.chat_type == "inline"
