"""Stopping the sandbox while a webhook is still set ends its delivery loop at once."""

from __future__ import annotations

import asyncio

import httpx

from bot.sandbox.server import start_sandbox


async def test_stop_with_a_webhook_set_does_not_hang():
    sandbox = await start_sandbox()
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{sandbox.url}/bot1:x/setWebhook",
            json={"url": "http://127.0.0.1:9/hook", "secret_token": "s3cret"},
        )
    assert answer.json()["ok"] is True
    await asyncio.sleep(0.2)  # the delivery loop is now waiting for updates
    # asyncio.wait, not wait_for, which on Python 3.11 may itself hide the hang.
    stopping = asyncio.ensure_future(sandbox.stop())
    done, _ = await asyncio.wait({stopping}, timeout=10)
    assert stopping in done, "stop() hung with a webhook set"
    assert sandbox.state.webhook_task is None
