"""Webhook mode on both runtimes: the sandbox pushes updates with the secret header and the
conversation works; a request with a missing or wrong secret is refused and handles nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from runtime_harness import RunningBot, free_port

from bot.runtimes.serving import SECRET_HEADER, Webhook
from storage.models import ProcessedUpdate

SECRET = "right-secret_123"


@pytest.fixture
async def webhook_bot(runtime, token, sandbox, dispatcher) -> AsyncIterator[RunningBot]:
    port = free_port()
    hook = Webhook(
        url=f"http://127.0.0.1:{port}/telegram/hook", host="127.0.0.1", port=port, secret=SECRET
    )
    running = RunningBot(runtime, token, sandbox.url, dispatcher, webhook=hook)
    await running.start()
    yield running
    await running.stop()
    # Our bot leaves its webhook set on purpose (other processes may share it); unset it so
    # the sandbox's delivery loop ends before the sandbox stops.
    async with httpx.AsyncClient() as http:
        await http.post(f"{sandbox.url}/bot{token}/deleteWebhook")


def text_update(update_id: int, user: dict, text: str) -> dict:
    sender = {"id": user["id"], "is_bot": False, "first_name": user["first_name"]}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1765846800,
            "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
            "from": sender,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_the_sandbox_pushes_with_the_secret_and_the_conversation_works(webhook_bot, client):
    info = await client.webhook()
    assert info["url"] == webhook_bot.webhook.url and info["secret_token_set"]
    user = await client.create_persona("网钩")
    await client.send_text(user, "/start")
    [menu] = await client.wait_for(user, 1)
    assert menu["text"] == "Menu"
    await client.click(user, "Hello")
    messages = await client.wait_until(user, lambda ms: any(m["edited"] for m in ms))
    assert [m["text"] for m in messages if m["from_bot"]] == ["You pressed hello"]
    assert (await client.webhook())["delivered"] == 2


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({SECRET_HEADER: "wrong-secret"}, 403), ({SECRET_HEADER: SECRET[:-1]}, 403)],
    ids=["missing", "wrong", "prefix"],
)
async def test_a_missing_or_wrong_secret_is_refused(
    webhook_bot, client, storage, dispatcher, headers, status
):
    user = await client.create_persona("冒充")
    await client.update_persona(user, started=True)  # it has opened the bot before
    update = text_update(900_001, user, "/start")
    url = webhook_bot.webhook.url
    async with httpx.AsyncClient() as http:
        refused = await http.post(url, json=update, headers=headers)
        assert refused.status_code == status
        async with storage.sessions() as session:
            assert await session.get(ProcessedUpdate, (dispatcher.bot_id, 900_001)) is None
        assert await client.bot_messages(user) == []

        # The very same request with the right secret is taken: only the secret was wrong.
        taken = await http.post(url, json=update, headers={SECRET_HEADER: SECRET})
        assert taken.status_code == 200
    async with storage.sessions() as session:
        assert await session.get(ProcessedUpdate, (dispatcher.bot_id, 900_001)) is not None
    assert [m["text"] for m in await client.bot_messages(user)] == ["Menu"]


async def test_a_body_that_is_no_update_is_a_bad_request(webhook_bot):
    async with httpx.AsyncClient() as http:
        response = await http.post(
            webhook_bot.webhook.url, content=b"[1, 2", headers={SECRET_HEADER: SECRET}
        )
    assert response.status_code == 400
