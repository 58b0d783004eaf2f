"""A webhook body nested deeper than the interpreter's recursion limit is a bad request (400) on
both runtimes, not a server error, and the listener goes on taking real updates."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from runtime_harness import RunningBot, free_port

from bot.runtimes.serving import SECRET_HEADER, Webhook
from storage.models import ProcessedUpdate

SECRET = "right-secret_123"
DEEP = 100_000


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
    async with httpx.AsyncClient() as http:
        await http.post(f"{sandbox.url}/bot{token}/deleteWebhook")


def replies_nested(depth: int) -> bytes:
    """A message replying to a message replying to ... : valid JSON of valid shape, which a
    framework reads by recursion."""
    message: dict = {"message_id": 1, "date": 1765846800, "chat": {"id": 7, "type": "private"}}
    for n in range(depth):
        message = {
            "message_id": n + 2,
            "date": 1765846800,
            "chat": {"id": 7, "type": "private"},
            "reply_to_message": message,
        }
    return json.dumps({"update_id": 77, "message": message}).encode()


BODIES = {
    "lists": b"[" * DEEP + b"]" * DEEP,
    "objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "update": b'{"update_id": 1, "message": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}",
    # Shallow enough for json's decoder, too deep for python-telegram-bot's reader.
    "replies": replies_nested(900),
}


@pytest.mark.parametrize("shape", sorted(BODIES))
async def test_a_body_nested_too_deep_is_a_bad_request(
    webhook_bot, client, storage, dispatcher, shape
):
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with httpx.AsyncClient(timeout=30) as http:
        refused = await http.post(webhook_bot.webhook.url, content=BODIES[shape], headers=headers)
        assert refused.status_code == 400, refused.text

        # The listener is whole: the next real update is handled and answered.
        user = await client.create_persona("深层")
        await client.update_persona(user, started=True)
        update = {
            "update_id": 900_002,
            "message": {
                "message_id": 1,
                "date": 1765846800,
                "chat": {"id": user["id"], "type": "private", "first_name": "深层"},
                "from": {"id": user["id"], "is_bot": False, "first_name": "深层"},
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        taken = await http.post(webhook_bot.webhook.url, json=update, headers=headers)
        assert taken.status_code == 200
    async with storage.sessions() as session:
        assert await session.get(ProcessedUpdate, (dispatcher.bot_id, 900_002)) is not None
