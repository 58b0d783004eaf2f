"""Webhook mode: updates pushed with the secret header, retried after failures; getUpdates
refused meanwhile, as Telegram refuses it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from sandbox_helpers import BotApi

from bot.sandbox.client import SandboxClient


class Receiver:
    """A tiny webhook on 127.0.0.1 that records what it is sent; it can fail on purpose."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.failures_left = 0
        self.reply: dict[str, Any] | None = None
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures_left > 0:
            self.failures_left -= 1
            return web.Response(status=500)
        self.received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        self.arrived.set()
        if self.reply is not None:
            return web.json_response(self.reply)
        return web.Response()


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield hook, f"http://127.0.0.1:{port}/hook"
    await runner.cleanup()


async def wait_received(hook: Receiver, count: int) -> None:
    async with asyncio.timeout(10):
        while len(hook.received) < count:
            hook.arrived.clear()
            await hook.arrived.wait()


async def test_updates_are_pushed_with_the_secret_header(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any], receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    assert await tg.ok("setWebhook", url=url, secret_token="s3cret_Token-1")
    update_id = await sb.send_text(user, "/start")
    await wait_received(hook, 1)
    update, secret = hook.received[0]
    assert secret == "s3cret_Token-1"
    assert update["update_id"] == update_id
    assert update["message"]["text"] == "/start"
    status, body = await tg("getUpdates")
    assert status == 409 and "webhook is active" in body["description"]
    info = await tg.ok("getWebhookInfo")
    assert info["url"] == url and info["pending_update_count"] == 0
    assert await tg.ok("deleteWebhook")
    await sb.send_text(user, "轮询")
    assert (await tg.ok("getUpdates"))[0]["message"]["text"] == "轮询"


async def test_failed_deliveries_are_retried_in_order(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any], receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    await sb.set_limits(webhook_retry_initial=0.05, webhook_retry_max=0.2)
    hook.failures_left = 3
    await tg.ok("setWebhook", url=url)
    first = await sb.send_text(user, "一")
    second = await sb.send_text(user, "二")
    await wait_received(hook, 2)
    assert [u["update_id"] for u, _ in hook.received] == [first, second]
    assert hook.received[0][1] is None  # no secret set, no header
    info = await tg.ok("getWebhookInfo")
    assert "500" in info["last_error_message"]


async def test_drop_pending_updates_and_loopback_only(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any], receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    await sb.send_text(user, "旧消息")
    await tg.ok("setWebhook", url=url, drop_pending_updates=True)
    new = await sb.send_text(user, "新消息")
    await wait_received(hook, 1)
    assert [u["update_id"] for u, _ in hook.received] == [new]
    status, body = await tg("setWebhook", url="https://example.com/hook")
    assert status == 400 and "bad webhook" in body["description"]
    status, body = await tg("setWebhook", url=url, secret_token="有空格 bad")
    assert status == 400 and "secret token" in body["description"]


async def test_a_method_in_the_webhook_answer_is_run(
    tg: BotApi, sb: SandboxClient, user: dict[str, Any], receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    hook.reply = {"method": "sendMessage", "chat_id": user["id"], "text": "来自 webhook 的回复"}
    await tg.ok("setWebhook", url=url)
    await sb.send_text(user, "你好")
    messages = await sb.wait_for(user, 1, timeout=5)
    assert messages[0]["text"] == "来自 webhook 的回复"
