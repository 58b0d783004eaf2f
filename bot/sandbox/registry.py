"""The Bot API methods the sandbox knows, and how one call is run and recorded.

Method modules register themselves with `@method("sendMessage")`; names are matched without
regard to case, as Telegram matches them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import ApiError, not_found, unauthorized
from .limits import Limits
from .params import Params
from .state import SandboxState

log = logging.getLogger(__name__)


@dataclass
class Call:
    state: SandboxState
    params: Params
    token: str

    @property
    def limits(self) -> Limits:
        return self.state.limits


Handler = Callable[[Call], Awaitable[Any]]
H = TypeVar("H", bound=Handler)
METHODS: dict[str, tuple[str, Handler]] = {}


def method(name: str) -> Callable[[H], H]:
    def register(handler: H) -> H:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register


async def execute(
    state: SandboxState,
    token: str,
    name: str,
    params: Params,
    *,
    via: str = "http",
    arrived: float | None = None,
) -> tuple[int, dict[str, Any]]:
    """Run one call; return the HTTP status and Telegram's JSON body. Every call is recorded,
    with the time it arrived (before a queued delay, if any)."""
    started = state.clock() if arrived is None else arrived
    clock = time.perf_counter()
    state.last_api_call = started
    known = METHODS.get(name.lower())
    try:
        if state.token is not None and token != state.token:
            raise unauthorized()
        state.tokens_seen.add(token)
        state.last_token = token
        if known is None:
            raise not_found()
        result = await known[1](Call(state, params, token))
        status, body = 200, {"ok": True, "result": result}
    except ApiError as error:
        status, body = error.status, error.to_json()
    except Exception:  # a sandbox bug must look like Telegram's 500, not a hung client
        log.exception("sandbox method %s failed", name)
        status, body = 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    record(
        state,
        method=known[0] if known else name,
        params=params,
        token=token,
        started=started,
        seconds=time.perf_counter() - clock,
        status=status,
        body=body,
        via=via,
    )
    return status, body


def record(
    state: SandboxState,
    *,
    method: str,
    params: Params,
    token: str,
    started: float,
    seconds: float,
    status: int,
    body: dict[str, Any],
    via: str,
    fault: str | None = None,
) -> None:
    state.record_call(
        {
            "method": method,
            "params": params.describe(),
            "token": token,
            "time": started,
            "duration": round(seconds, 6),
            "status": status,
            "ok": status == 200,
            "description": body.get("description"),
            "via": via,
            "fault": fault,
        }
    )
