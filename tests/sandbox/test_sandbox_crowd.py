"""What a crowd of simulated people needs from the sandbox: each action answered with the time
it was accepted and the chat's version, one request that waits for the bot's answer and shows
the chat, and waiting that only a change of one's own chat ends."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sandbox_helpers import BotApi

from bot.sandbox.client import SandboxClient


async def test_an_action_records_when_it_was_accepted_and_the_chat_version(
    sb: SandboxClient, user: dict[str, Any]
) -> None:
    before = time.time()
    update_id = await sb.send_command(user, "/start")
    after = time.time()
    record = sb.injected[update_id]
    assert record["user"] == user["id"] and record["kind"] == "command"
    assert before <= record["accepted"] <= after
    assert record["version"] == (await sb.chat(user))["version"]


async def test_changed_since_waits_for_the_answer_and_shows_the_chat(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    update_id = await sb.send_text(user, "你好")
    version = sb.injected[update_id]["version"]

    async def answer_in_two_messages() -> None:
        await asyncio.sleep(0.2)
        await tg.ok("sendMessage", chat_id=user["id"], text="第一条")
        await tg.ok("sendMessage", chat_id=user["id"], text="第二条")

    task = asyncio.create_task(answer_in_two_messages())
    view = await sb.changed_since(user, version, timeout=5)
    await task
    # Both messages of the answer, not only the first that woke the wait.
    assert [m["text"] for m in view["messages"] if m["from_bot"]] == ["第一条", "第二条"]
    assert view["version"] > version
    with pytest.raises(TimeoutError, match="nothing changed"):
        await sb.changed_since(user, view["version"], timeout=0.3)


async def test_a_change_in_another_chat_does_not_end_the_wait(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    other = await sb.update_persona(await sb.create_persona("李四"), started=True)
    version = (await sb.chat(user))["version"]
    waiting = asyncio.create_task(sb.changed_since(user, version, timeout=5))
    await asyncio.sleep(0.1)
    await tg.ok("sendMessage", chat_id=other["id"], text="给李四")
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await tg.ok("sendMessage", chat_id=user["id"], text="给张三")
    view = await waiting
    assert [m["text"] for m in view["messages"]] == ["给张三"]
