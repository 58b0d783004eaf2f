"""The Bot API as the sandbox answers it, over real HTTP: shapes, rules and errors."""

from __future__ import annotations

import asyncio
from typing import Any

from sandbox_helpers import BotApi

from bot.sandbox.client import SandboxClient


async def test_get_me_answers_as_telegram(tg: BotApi) -> None:
    status, body = await tg("getMe")
    assert status == 200
    assert body["ok"] is True
    me = body["result"]
    assert me["is_bot"] is True
    assert me["username"] == "gongshi_bot"
    assert isinstance(me["id"], int)


async def test_method_names_ignore_case_and_unknown_is_404(tg: BotApi) -> None:
    status, _ = await tg("getme")
    assert status == 200
    status, body = await tg("sendTelepathy", chat_id=1)
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_injected_text_is_received_and_confirmed_by_offset(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    update_id = await sb.send_text(user, "你好")
    updates = await tg.ok("getUpdates", timeout=0)
    assert [u["update_id"] for u in updates] == [update_id]
    message = updates[0]["message"]
    assert message["text"] == "你好"
    assert message["from"]["id"] == user["id"]
    assert message["chat"] == {
        "id": user["id"],
        "type": "private",
        "first_name": "张三",
        "username": "zhangsan",
    }
    assert isinstance(message["date"], int) and message["date"] > 0
    # Not confirmed yet: delivered again.
    assert [u["update_id"] for u in await tg.ok("getUpdates")] == [update_id]
    assert await tg.ok("getUpdates", offset=update_id + 1) == []
    assert await sb.pending_updates() == []


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    poll = asyncio.create_task(tg.ok("getUpdates", timeout=20))
    await asyncio.sleep(0.2)
    assert not poll.done()
    started = asyncio.get_running_loop().time()
    await sb.send_text(user, "在吗")
    updates = await asyncio.wait_for(poll, 5)
    assert updates[0]["message"]["text"] == "在吗"
    assert asyncio.get_running_loop().time() - started < 2


async def test_a_second_poller_ends_the_first_with_409(tg: BotApi) -> None:
    first = asyncio.create_task(tg("getUpdates", timeout=10))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(tg("getUpdates", timeout=1))
    status, body = await asyncio.wait_for(first, 5)
    assert status == 409
    assert "terminated by other getUpdates request" in body["description"]
    assert (await second)[0] == 200


async def test_allowed_updates_filters_and_is_remembered(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    sent = await tg.ok(
        "sendMessage",
        chat_id=user["id"],
        text="选择",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    await sb.send_text(user, "文字")
    press_id = await sb.press(user, sent["message_id"], "a")
    updates = await tg.ok("getUpdates", allowed_updates=["callback_query"])
    assert [u["update_id"] for u in updates] == [press_id]
    await sb.send_text(user, "又一条")
    assert await tg.ok("getUpdates", offset=press_id + 1) == []


async def test_command_carries_the_bot_command_entity(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    await sb.send_command(user, "/start", "inv_abc")
    message = (await tg.ok("getUpdates"))[0]["message"]
    assert message["text"] == "/start inv_abc"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]


async def test_press_on_an_inline_button_becomes_a_callback_query(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "投诉", "callback_data": "menu:complain"}]]}
    sent = await tg.ok("sendMessage", chat_id=user["id"], text="菜单", reply_markup=keyboard)
    assert sent["reply_markup"] == keyboard
    update_id = await sb.press(user, sent["message_id"], "menu:complain")
    update = (await tg.ok("getUpdates"))[-1]
    assert update["update_id"] == update_id
    query = update["callback_query"]
    assert query["data"] == "menu:complain"
    assert query["from"]["id"] == user["id"]
    assert query["message"]["message_id"] == sent["message_id"]
    assert query["chat_instance"]
    assert await tg.ok("answerCallbackQuery", callback_query_id=query["id"], text="好的")
    status, body = await tg("answerCallbackQuery", callback_query_id=query["id"])
    assert status == 400 and "query is too old" in body["description"]
    view = await sb.chat(user)
    assert view["answers"][0]["text"] == "好的"


async def test_press_needs_the_button_unless_forged(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "case:1"}]]}
    sent = await tg.ok("sendMessage", chat_id=user["id"], text="x", reply_markup=keyboard)
    try:
        await sb.press(user, sent["message_id"], "case:2")
        raise AssertionError("a press of a missing button was accepted")
    except Exception as error:  # SandboxError
        assert getattr(error, "status", None) == 404
    await sb.press(user, sent["message_id"], "admin:delete_all", forge=True)
    await sb.press(user, 999, "stale", forge=True)
    queries = [u["callback_query"] for u in await tg.ok("getUpdates")]
    assert queries[0]["data"] == "admin:delete_all"
    assert queries[1]["message"]["date"] == 0  # Telegram's inaccessible message


async def test_text_limits_count_characters_after_html(tg: BotApi, user: dict[str, Any]) -> None:
    status, body = await tg("sendMessage", chat_id=user["id"], text="字" * 4097)
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message is too long",
    }
    await tg.ok(
        "sendMessage", chat_id=user["id"], text="<b>" + "字" * 4096 + "</b>", parse_mode="HTML"
    )
    status, body = await tg("sendMessage", chat_id=user["id"], text="   ")
    assert status == 400 and body["description"] == "Bad Request: message text is empty"


async def test_html_is_parsed_strictly(tg: BotApi, user: dict[str, Any]) -> None:
    sent = await tg.ok(
        "sendMessage", chat_id=user["id"], text="<b>工单</b> &lt;GS-1&gt;", parse_mode="HTML"
    )
    assert sent["text"] == "工单 <GS-1>"
    assert sent["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    status, body = await tg("sendMessage", chat_id=user["id"], text="a < b", parse_mode="HTML")
    assert status == 400 and "can't parse entities" in body["description"]


async def test_callback_data_is_at_most_64_bytes(tg: BotApi, user: dict[str, Any]) -> None:
    def keyboard(data: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "按钮", "callback_data": data}]]}

    status, body = await tg(
        "sendMessage", chat_id=user["id"], text="x", reply_markup=keyboard("a" * 65)
    )
    assert status == 400
    assert body["description"] == "Bad Request: BUTTON_DATA_INVALID"
    # 21 Chinese characters are 63 bytes, one more ASCII makes 64: allowed.
    await tg.ok("sendMessage", chat_id=user["id"], text="x", reply_markup=keyboard("投" * 21 + "a"))
    status, _ = await tg(
        "sendMessage", chat_id=user["id"], text="x", reply_markup=keyboard("投" * 22)
    )
    assert status == 400
    status, body = await tg(
        "sendMessage",
        chat_id=user["id"],
        text="x",
        reply_markup={"inline_keyboard": [[{"text": "t"}]]},
    )
    assert status == 400 and "unallowed" in body["description"]


async def test_bad_and_missing_parameters_are_400(tg: BotApi, user: dict[str, Any]) -> None:
    status, body = await tg("sendMessage", chat_id=123456, text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await tg("sendMessage", text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = await tg("sendMessage", chat_id=user["id"])
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await tg("sendMessage", chat_id=user["id"], text="x", reply_markup="{oops")
    assert status == 400 and "reply keyboard markup" in body["description"]
    status, body = await tg("editMessageText", chat_id=user["id"], message_id=77, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await tg("deleteMessage", chat_id=user["id"], message_id=77)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")


async def test_blocked_and_never_started_users_are_403(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    await sb.set_blocked(user)
    status, body = await tg("sendMessage", chat_id=user["id"], text="x")
    assert status == 403
    assert body["description"] == "Forbidden: bot was blocked by the user"
    stranger = await sb.create_persona("陌生人")
    status, body = await tg("sendMessage", chat_id=stranger["id"], text="x")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    await sb.send_text(stranger, "/start")
    await tg.ok("sendMessage", chat_id=stranger["id"], text="欢迎")


async def test_edits_and_deletions_show_in_the_chat(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "确认", "callback_data": "ok"}]]}
    sent = await tg.ok("sendMessage", chat_id=user["id"], text="草稿", reply_markup=keyboard)
    ids = {"chat_id": user["id"], "message_id": sent["message_id"]}
    status, body = await tg("editMessageText", **ids, text="草稿", reply_markup=keyboard)
    assert status == 400 and body["description"].startswith("Bad Request: message is not modified")
    edited = await tg.ok("editMessageText", **ids, text="已提交", reply_markup=keyboard)
    assert edited["text"] == "已提交" and edited["edit_date"] >= sent["date"]
    await tg.ok("editMessageReplyMarkup", **ids)
    second = await tg.ok("sendMessage", chat_id=user["id"], text="临时")
    assert await tg.ok("deleteMessage", chat_id=user["id"], message_id=second["message_id"])
    first, gone = await sb.bot_messages(user)
    assert first["text"] == "已提交" and first["edited"] and first["edits"] == 2
    assert first["reply_markup"] is None and first["buttons"] == []
    assert gone["deleted"] is True and gone["text"] == "临时"


async def test_rate_limit_per_private_chat(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    await sb.set_limits(private_burst=1)
    await tg.ok("sendMessage", chat_id=user["id"], text="一")
    status, body = await tg("sendMessage", chat_id=user["id"], text="二")
    assert status == 429
    assert body["parameters"]["retry_after"] >= 1
    assert (
        body["description"] == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
    )
    await sb.disable_rate_limits()
    await tg.ok("sendMessage", chat_id=user["id"], text="三")
    await tg.ok("sendMessage", chat_id=user["id"], text="四")
    statuses = [c["status"] for c in await sb.calls("sendMessage")]
    assert statuses == [200, 429, 200, 200]


async def test_default_limits_allow_a_short_burst_then_429(
    tg: BotApi, user: dict[str, Any]
) -> None:
    statuses = [(await tg("sendMessage", chat_id=user["id"], text=str(i)))[0] for i in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429


async def test_twenty_messages_a_minute_in_a_group(tg: BotApi, sb: SandboxClient) -> None:
    group = await sb.create_chat("就业局工作群", type="supergroup")
    statuses = [(await tg("sendMessage", chat_id=group["id"], text=str(i)))[0] for i in range(21)]
    assert statuses.count(200) == 20
    assert statuses[-1] == 429


async def test_global_rate_limit(tg: BotApi, sb: SandboxClient) -> None:
    await sb.set_limits(global_per_second=2, global_burst=2)
    users = [await sb.create_persona(f"用户{i}") for i in range(3)]
    for persona in users:
        await sb.send_text(persona, "/start")
    statuses = [(await tg("sendMessage", chat_id=p["id"], text="通知"))[0] for p in users]
    assert statuses == [200, 200, 429]


async def test_channel_posts_by_username_and_id(tg: BotApi, sb: SandboxClient) -> None:
    post = await tg.ok(
        "sendMessage", chat_id="@gongshi_public", text="公示名单", protect_content=True
    )
    channel_id = post["chat"]["id"]
    assert channel_id < -1_000_000_000_000
    assert post["chat"]["type"] == "channel"
    assert post["sender_chat"]["id"] == channel_id
    assert "from" not in post
    assert post["has_protected_content"] is True
    await tg.ok("sendMessage", chat_id=channel_id, text="第二条")
    posts = await sb.channel_posts("@gongshi_public")
    assert [p["text"] for p in posts] == ["公示名单", "第二条"]
    assert posts[0]["protect_content"] is True and posts[1]["protect_content"] is False


async def test_commands_are_stored_per_scope_and_language(tg: BotApi) -> None:
    commands = [
        {"command": "start", "description": "开始"},
        {"command": "help", "description": "帮助"},
    ]
    assert await tg.ok("setMyCommands", commands=commands)
    await tg.ok(
        "setMyCommands", commands=[{"command": "start", "description": "Start"}], language_code="en"
    )
    assert await tg.ok("getMyCommands") == commands
    assert await tg.ok("getMyCommands", language_code="en") == [
        {"command": "start", "description": "Start"}
    ]
    status, body = await tg("setMyCommands", commands=[{"command": "Bad-Name", "description": "x"}])
    assert status == 400 and "BOT_COMMAND_INVALID" in body["description"]


async def test_form_and_query_string_requests(
    sandbox: Any, tg: BotApi, user: dict[str, Any]
) -> None:
    keyboard = '{"inline_keyboard": [[{"text": "好", "callback_data": "y"}]]}'
    status, body = await tg.form(
        "sendMessage",
        {
            "chat_id": str(user["id"]),
            "text": "表单",
            "reply_markup": keyboard,
            "protect_content": "true",
        },
    )
    assert status == 200
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "y"
    assert body["result"]["has_protected_content"] is True
    response = await tg.http.get(tg.base + "getMe")
    assert response.json()["result"]["is_bot"] is True


async def test_calls_are_recorded_for_assertions(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    await tg.ok("sendMessage", chat_id=user["id"], text="记录")
    await tg("sendMessage", chat_id=1, text="x")
    calls = await sb.calls("sendMessage")
    assert [(c["status"], c["params"]["text"]) for c in calls] == [(200, "记录"), (400, "x")]
    assert calls[0]["token"].startswith("7000000001:")
    assert calls[1]["description"] == "Bad Request: chat not found"
    assert calls[0]["time"] <= calls[1]["time"]
