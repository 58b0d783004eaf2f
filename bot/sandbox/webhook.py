"""Pushing updates to the bot's webhook, one at a time and in order, with Telegram's secret
header; a failed delivery is retried with a doubling delay and reported in getWebhookInfo."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout

from .models import Webhook
from .params import Params
from .registry import execute
from .state import SandboxState

log = logging.getLogger(__name__)


def start_delivery(state: SandboxState) -> None:
    """Start the delivery loop unless it runs; it follows `state.webhook` until that is None."""
    if state.webhook_task is None or state.webhook_task.done():
        state.webhook_task = asyncio.create_task(_deliver(state), name="sandbox-webhook")


async def stop_delivery(state: SandboxState) -> None:
    task, state.webhook_task = state.webhook_task, None
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _deliver(state: SandboxState) -> None:
    async with ClientSession() as session:
        delay = 0.0
        while (hook := state.webhook) is not None:
            batch = state.deliverable(hook.allowed_updates)
            if not batch:
                await state.wait_until(_replaced_or_pending(state, hook), 30)
                continue
            update = batch[0]
            error = await _post(session, state, hook, update)
            if state.webhook is not hook:
                continue
            if error is None:
                state.confirm(update["update_id"] + 1)
                hook.delivered += 1
                delay = 0.0
                state.touch()
                continue
            hook.last_error_date = int(state.clock())
            hook.last_error_message = error
            limits = state.limits
            delay = min(max(delay * 2, limits.webhook_retry_initial), limits.webhook_retry_max)
            state.touch()
            await state.wait_until(_replaced(state, hook), delay)


def _replaced(state: SandboxState, hook: Webhook) -> Callable[[], bool]:
    return lambda: state.webhook is not hook


def _replaced_or_pending(state: SandboxState, hook: Webhook) -> Callable[[], bool]:
    return lambda: state.webhook is not hook or bool(state.deliverable(hook.allowed_updates))


async def _post(
    session: ClientSession, state: SandboxState, hook: Webhook, update: dict[str, Any]
) -> str | None:
    """None if the bot took the update, else the error as getWebhookInfo reports it."""
    headers = {}
    if hook.secret_token:
        headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
    try:
        async with session.post(
            hook.url,
            json=update,
            headers=headers,
            timeout=ClientTimeout(total=state.limits.webhook_timeout),
        ) as response:
            body = await response.read()
            if not 200 <= response.status < 300:
                return f"Wrong response from the webhook: {response.status} {response.reason}"
    except TimeoutError:
        return "Read timeout expired"
    except ClientError as error:
        return f"Connection failed: {error}"
    await _reply_method(state, body)
    return None


async def _reply_method(state: SandboxState, body: bytes) -> None:
    """A webhook may answer with a method call in its response body; Telegram runs it."""
    if not body:
        return
    try:
        call = json.loads(body)
    except ValueError:
        return
    if isinstance(call, dict) and isinstance(call.get("method"), str):
        name = call.pop("method")
        await execute(state, state.last_token or "", name, Params(call), via="webhook-reply")
