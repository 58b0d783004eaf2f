"""Faults queued through the control API: 429, 5xx, late answers and dropped connections."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sandbox_helpers import BotApi

from bot.sandbox.client import SandboxClient


async def test_retry_after_then_normal(tg: BotApi, sb: SandboxClient, user: dict[str, Any]) -> None:
    await sb.inject_fault("sendMessage", "retry_after", retry_after=7, count=2)
    for _ in range(2):
        status, body = await tg("sendMessage", chat_id=user["id"], text="x")
        assert status == 429 and body["parameters"] == {"retry_after": 7}
    await tg.ok("sendMessage", chat_id=user["id"], text="x")
    assert await sb.faults() == {}
    assert len(await sb.bot_messages(user)) == 1
    faults = [c["fault"] for c in await sb.calls("sendMessage")]
    assert faults == ["retry_after", "retry_after", None]


async def test_server_error_on_any_method(tg: BotApi, sb: SandboxClient) -> None:
    await sb.inject_fault("*", "error", status=502, description="Bad Gateway")
    status, body = await tg("getMe")
    assert (status, body["description"]) == (502, "Bad Gateway")
    assert (await tg("getMe"))[0] == 200


async def test_delay_makes_a_client_time_out_but_the_call_happens(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any]
) -> None:
    await sb.inject_fault("sendMessage", "delay", delay=1.0)
    with pytest.raises(httpx.ReadTimeout):
        await tg.http.post(
            tg.base + "sendMessage", json={"chat_id": user["id"], "text": "慢"}, timeout=0.3
        )
    await asyncio.sleep(1.0)
    assert [m["text"] for m in await sb.bot_messages(user)] == ["慢"]


@pytest.mark.parametrize("effect", [False, True])
async def test_reset_drops_the_connection(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any], effect: bool
) -> None:
    await sb.inject_fault("sendMessage", "reset", effect=effect)
    with pytest.raises(httpx.RemoteProtocolError):
        await tg("sendMessage", chat_id=user["id"], text="也许发出了")
    # With effect, the message went out although the client never heard so.
    assert len(await sb.bot_messages(user)) == (1 if effect else 0)
    await tg.ok("sendMessage", chat_id=user["id"], text="再试")


async def test_bad_fault_is_refused(sb: SandboxClient) -> None:
    with pytest.raises(Exception, match="kind must be one of"):
        await sb.inject_fault("sendMessage", "explode")
