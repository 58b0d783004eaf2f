"""How the bot receives updates: getUpdates (long polling, confirmed by offset) or a webhook
(setWebhook / deleteWebhook / getWebhookInfo). As in Telegram, the two exclude each other."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from .errors import bad_request, conflict
from .models import Webhook
from .registry import Call, method
from .webhook import start_delivery

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _allowed_updates(call: Call) -> list[str] | None:
    allowed = call.params.structure("allowed_updates")
    if allowed is None:
        return None
    if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
        raise bad_request("can't parse allowed_updates JSON array")
    return allowed


@method("getUpdates")
async def get_updates(call: Call) -> list[dict[str, Any]]:
    state, params = call.state, call.params
    if state.webhook is not None:
        raise conflict(
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
    offset = params.integer("offset")
    limit = min(max(params.integer("limit") or 100, 1), 100)
    timeout = min(max(params.number("timeout") or 0.0, 0.0), call.limits.max_poll_timeout)
    allowed = _allowed_updates(call)
    if allowed is not None:
        # Remembered for later calls, as Telegram does; [] means "the default set".
        state.allowed_updates = allowed or None
    if offset:
        state.confirm(offset)
    # A newer getUpdates ends the one still waiting, with Telegram's 409.
    state.poll_generation += 1
    generation = state.poll_generation
    state.wake()

    def ready() -> bool:
        return (
            state.poll_generation != generation
            or state.webhook is not None
            or bool(state.deliverable(state.allowed_updates))
        )

    state.pollers += 1
    try:
        await state.wait_until(ready, timeout)
    finally:
        state.pollers -= 1
    if state.poll_generation != generation:
        raise conflict(
            "terminated by other getUpdates request; make sure that only one bot instance is "
            "running"
        )
    if state.webhook is not None:
        return []
    return state.deliverable(state.allowed_updates)[:limit]


def _check_webhook_url(url: str) -> None:
    """Only this machine: the sandbox must never send an update anywhere else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: invalid webhook URL specified")
    host = parts.hostname
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise bad_request("bad webhook: the sandbox delivers only to 127.0.0.1, ::1 or localhost")


@method("setWebhook")
async def set_webhook(call: Call) -> bool:
    state, params = call.state, call.params
    url = params.string("url") or ""
    if not url:
        return await delete_webhook(call)
    _check_webhook_url(url)
    secret = params.string("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = params.integer("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    if params.flag("drop_pending_updates"):
        state.pending.clear()
    state.webhook = Webhook(
        url=url,
        secret_token=secret,
        allowed_updates=_allowed_updates(call) or None,
        max_connections=max_connections,
    )
    state.touch()
    start_delivery(state)
    return True


@method("deleteWebhook")
async def delete_webhook(call: Call) -> bool:
    state = call.state
    if call.params.flag("drop_pending_updates"):
        state.pending.clear()
    state.webhook = None
    state.touch()
    return True


@method("getWebhookInfo")
async def get_webhook_info(call: Call) -> dict[str, Any]:
    state = call.state
    if state.webhook is None:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(state.pending),
        }
    return state.webhook.info(len(state.deliverable(state.webhook.allowed_updates)))
