"""The Bot API over HTTP: `/bot<token>/<method>` and `/file/bot<token>/<path>`, as aiogram's
`TelegramAPIServer.from_base(url)` and python-telegram-bot's `base_url=url + "/bot"` address
them. Queued faults are applied here, where a connection can be delayed or dropped."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

# The method modules register themselves when imported. By absolute name: a relative
# ``from . import`` would import the package, whose __init__ imports this module back.
import bot.sandbox.editing
import bot.sandbox.info
import bot.sandbox.sending
import bot.sandbox.updates  # noqa: F401

from .errors import ApiError, too_many_requests
from .faults import Fault
from .params import Params
from .registry import execute, record
from .state import STATE_KEY


def _json(status: int, body: dict[str, object]) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        content_type="application/json",
    )


async def handle_method(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    token = request.match_info["token"]
    name = request.match_info["method"]
    try:
        params = await Params.from_request(request)
    except ApiError as refusal:
        return _json(refusal.status, refusal.to_json())
    arrived = state.clock()
    fault = state.faults.take(name)
    via = "http"
    if fault is not None:
        faulty = await _apply_fault(request, fault, token, name, params)
        if faulty is not None:
            return faulty
        if fault.delay > 0:
            # Recorded as arrived, and marked: the caller may have given up waiting.
            via = "fault-delay"
    status, body = await execute(state, token, name, params, via=via, arrived=arrived)
    return _json(status, body)


async def _apply_fault(
    request: web.Request, fault: Fault, token: str, name: str, params: Params
) -> web.StreamResponse | None:
    """The response a queued fault gives instead of the real one; None to go on normally."""
    state = request.app[STATE_KEY]
    started = state.clock()
    if fault.kind == "delay":
        await asyncio.sleep(fault.delay)
        return None
    if fault.kind == "reset":
        if fault.effect:
            await execute(state, token, name, params, via="fault-reset")
        else:
            record(
                state,
                method=name,
                params=params,
                token=token,
                started=started,
                seconds=0.0,
                status=0,
                body={"description": "connection reset"},
                via="http",
                fault="reset",
            )
        # Drop the connection without an answer: the client sees a disconnect.
        if request.transport is not None:
            request.transport.abort()
        return web.Response()
    refusal = (
        too_many_requests(fault.retry_after)
        if fault.kind == "retry_after"
        else ApiError(fault.status, fault.description)
    )
    body = refusal.to_json()
    record(
        state,
        method=name,
        params=params,
        token=token,
        started=started,
        seconds=0.0,
        status=refusal.status,
        body=body,
        via="http",
        fault=fault.kind,
    )
    return _json(refusal.status, body)


async def handle_file(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    token = request.match_info["token"]
    if state.token is not None and token != state.token:
        return _json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    stored = state.files.by_path(request.match_info["path"])
    if stored is None:
        return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
    return web.Response(body=stored.data, content_type="application/octet-stream")


def setup(app: web.Application) -> None:
    app.router.add_route("*", "/bot{token}/{method}", handle_method)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
