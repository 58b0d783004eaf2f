"""The control API through SandboxClient: personas, acting as them, reading and waiting, limits;
and the sandbox as a command."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sandbox_helpers import BotApi

from bot.sandbox import SandboxState, start_sandbox
from bot.sandbox.client import SandboxClient, SandboxError


async def test_personas_have_roles_and_ids(sb: SandboxClient) -> None:
    worker = await sb.create_persona("李四", role="worker", phone="+8613900000000")
    official = await sb.create_persona("Wang", role="bureau", language_code="en")
    assert worker["role_label"] == "公益性岗位从业人员 / Worker"
    assert official["id"] == worker["id"] + 1
    assert [p["first_name"] for p in await sb.personas()] == ["李四", "Wang"]
    with pytest.raises(SandboxError) as caught:
        await sb.create_persona("X", role="emperor")
    assert caught.value.status == 400


async def test_click_presses_the_newest_button_with_that_label(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    def menu(data: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "📝 投诉 / Complain", "callback_data": data}]]}

    await tg.ok("sendMessage", chat_id=user["id"], text="旧菜单", reply_markup=menu("old"))
    newer = await tg.ok("sendMessage", chat_id=user["id"], text="新菜单", reply_markup=menu("new"))
    await sb.click(user, "投诉")  # a unique part of the label is enough
    query = (await tg.ok("getUpdates"))[-1]["callback_query"]
    assert (query["data"], query["message"]["message_id"]) == ("new", newer["message_id"])
    with pytest.raises(LookupError, match="no button"):
        await sb.click(user, "不存在")


async def test_click_on_a_contact_button_shares_the_persona_phone(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    keyboard = {
        "keyboard": [[{"text": "分享手机号", "request_contact": True}], [{"text": "匿名"}]],
        "one_time_keyboard": True,
    }
    await tg.ok("sendMessage", chat_id=user["id"], text="请分享", reply_markup=keyboard)
    await sb.click(user, "分享手机号")
    contact = (await tg.ok("getUpdates"))[-1]["message"]["contact"]
    assert contact == {
        "phone_number": "+8613800000001",
        "first_name": "张三",
        "user_id": user["id"],
    }
    assert (await sb.chat(user))["reply_keyboard"] is None  # one-time keyboard hidden after use
    await tg.ok("sendMessage", chat_id=user["id"], text="选", reply_markup={"keyboard": [["是"]]})
    assert (await sb.chat(user))["reply_keyboard"] == {"keyboard": [[{"text": "是"}]]}
    await sb.click(user, "是")
    assert (await tg.ok("getUpdates"))[-1]["message"]["text"] == "是"
    await tg.ok(
        "sendMessage", chat_id=user["id"], text="好", reply_markup={"remove_keyboard": True}
    )
    assert (await sb.chat(user))["reply_keyboard"] is None


async def test_contacts_of_someone_else_or_without_account(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    await sb.share_contact(user, "+8613700000000", user_id=42)
    await sb.share_contact(user, "+8613700000001", without_user_id=True, first_name="王五")
    first, second = [u["message"]["contact"] for u in await tg.ok("getUpdates")]
    assert first["user_id"] == 42
    assert "user_id" not in second and second["first_name"] == "王五"


async def test_wait_for_returns_once_the_bot_answers_and_times_out_otherwise(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    async def answer_later() -> None:
        await asyncio.sleep(0.3)
        await tg.ok("sendMessage", chat_id=user["id"], text="收到")

    task = asyncio.create_task(answer_later())
    messages = await sb.wait_for(user, 1, timeout=5)
    await task
    assert [m["text"] for m in messages] == ["收到"]
    with pytest.raises(TimeoutError, match="wanted 2"):
        await sb.wait_for(user, 2, timeout=0.3)


async def test_reset_forgets_conversations_but_not_personas(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    await sb.send_text(user, "一")
    sent = await tg.ok("sendMessage", chat_id=user["id"], text="二")
    await sb.reset()
    assert await sb.messages(user) == []
    assert await sb.calls() == []
    assert await tg.ok("getUpdates") == []
    again = await tg.ok("sendMessage", chat_id=user["id"], text="三")
    assert again["message_id"] > sent["message_id"]  # ids are never reused


async def test_limits_can_be_read_changed_and_reset(sb: SandboxClient) -> None:
    assert (await sb.limits())["max_text_length"] == 4096
    changed = await sb.set_limits(max_text_length=100, rate_limits=False)
    assert changed["max_text_length"] == 100 and changed["rate_limits"] is False
    assert (await sb.set_limits(reset=True))["max_text_length"] == 4096
    with pytest.raises(SandboxError, match="unknown limit"):
        await sb.set_limits(max_everything=1)
    with pytest.raises(SandboxError, match="non-negative"):
        await sb.set_limits(private_burst=-1)


async def test_state_tells_whether_the_bot_is_polling(
    sandbox: Any, tg: BotApi, sb: SandboxClient
) -> None:
    assert (await sb.state())["online"] is False
    poll = asyncio.create_task(tg("getUpdates", timeout=2))
    await asyncio.sleep(0.2)
    state = await sb.state()
    assert state["online"] is True and state["mode"] == "polling"
    await poll


async def test_a_configured_token_refuses_others() -> None:
    running = await start_sandbox(state=SandboxState(token="1:right"))
    try:
        async with httpx.AsyncClient() as http:
            wrong = await http.post(f"{running.url}/bot1:wrong/getMe")
            right = await http.post(f"{running.url}/bot1:right/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        assert right.status_code == 200
    finally:
        await running.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_python_m_bot_sandbox_serves_the_page_and_personas(tmp_path: Path) -> None:
    personas = tmp_path / "personas.json"
    personas.write_text(json.dumps([{"id": 901, "first_name": "管理员", "role": "admin"}]))
    port = _free_port()
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.sandbox", "--port", str(port), "--personas", str(personas)],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 20)
        assert f"http://127.0.0.1:{port}/" in first_line
        async with httpx.AsyncClient() as http:
            page = await http.get(f"http://127.0.0.1:{port}/")
            listed = await http.get(f"http://127.0.0.1:{port}/_control/personas")
        assert page.status_code == 200 and "公示通" in page.text
        assert [(p["id"], p["role"]) for p in listed.json()] == [(901, "admin")]
    finally:
        process.terminate()
        process.wait(10)
