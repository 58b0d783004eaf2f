"""A long poll that returns the chat: what a crowd of simulated people uses to see the bot's
answer in one request (bench/under_load.py), where a test would poll and then read."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from .control import _chat, _chat_view, _state, _timeout
from .models import Chat

routes = web.RouteTableDef()
# An answer may come as two messages, or a message and an edit, moments apart (longer apart
# when the bot is busy): the chat is shown once it was still this long.
SETTLE = 0.3


@routes.get("/_control/chats/{chat_id}/after/{version}")
async def chat_after(request: web.Request) -> web.Response:
    """The chat as /_control/chats/{chat_id} shows it, once it changed after `version` and
    then stayed still for a moment, or after `timeout` seconds (`changed` says which)."""
    state = _state(request)
    chat = _chat(state, request.match_info["chat_id"])
    since = int(request.match_info["version"])
    changed = await state.wait_until(_newer_than(chat, since), _timeout(request), chat=chat)
    quiet = not changed
    while not quiet:
        quiet = not await state.wait_until(_newer_than(chat, chat.version), SETTLE, chat=chat)
    return web.json_response({**_chat_view(state, chat), "changed": changed})


def _newer_than(chat: Chat, version: int) -> Callable[[], bool]:
    return lambda: chat.version > version
