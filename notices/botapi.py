"""The Bot API over plain HTTP, ``{api_base}/bot{token}/{method}``: the same calls reach
Telegram, a local Bot API server or the sandbox. Each answer is sorted into what the sender
must do with the row: done, wait, retry later, or give up on the row or the whole chat.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

log = logging.getLogger(__name__)


class Verdict(StrEnum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"  # 429: flood control says how long to wait
    TRANSIENT = "transient"  # 5xx, timeout, connection lost: back off and try again
    CHAT_GONE = "chat_gone"  # the chat cannot be written to: this row and its others fail
    BAD_ROW = "bad_row"  # this message is refused (too long, bad button): only it fails
    MISCONFIGURED = "misconfigured"  # wrong token or API base: nothing is sent until fixed
    WITHDRAWN = "withdrawn"  # not sent at all: our own check cancelled it (a closed 公示)


# Telegram's 400s that say the chat, not the message, is the problem.
_CHAT_GONE_400 = (
    "chat not found",
    "user not found",
    "user is deactivated",
    "peer_id_invalid",
    "bot was kicked",
    "not enough rights to send",
    "need administrator rights",
    "have no rights to send",
    "group chat was upgraded",
    "chat_write_forbidden",
)


@dataclass(frozen=True)
class ApiResult:
    verdict: Verdict
    status: int | None = None
    description: str = ""
    retry_after: float | None = None
    message_id: int | None = None


def classify(status: int, body: Any) -> ApiResult:
    """What an HTTP answer of the Bot API means for the row that was sent."""
    if not isinstance(body, dict):
        return ApiResult(Verdict.TRANSIENT, status, f"HTTP {status}: not a Bot API answer")
    description = str(body.get("description") or f"HTTP {status}")
    if status == 200 and body.get("ok"):
        result = body.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return ApiResult(Verdict.SENT, status, "", None, message_id)
    parameters = body.get("parameters") or {}
    if status == 429:
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
        wait = float(retry_after) if isinstance(retry_after, int | float) else 1.0
        return ApiResult(Verdict.RETRY_AFTER, status, description, max(wait, 1.0))
    if status >= 500:
        return ApiResult(Verdict.TRANSIENT, status, description)
    if status == 403:
        return ApiResult(Verdict.CHAT_GONE, status, description)
    if status == 400:
        lowered = description.lower()
        if any(marker in lowered for marker in _CHAT_GONE_400):
            return ApiResult(Verdict.CHAT_GONE, status, description)
        return ApiResult(Verdict.BAD_ROW, status, description)
    if status in (401, 404):
        return ApiResult(Verdict.MISCONFIGURED, status, description)
    if 400 <= status < 500:
        return ApiResult(Verdict.BAD_ROW, status, description)
    return ApiResult(Verdict.TRANSIENT, status, description)


class BotApi:
    """One HTTP connection pool to the Bot API; safe to share between tasks."""

    def __init__(
        self,
        api_base: str,
        token: str,
        *,
        timeout: float = 15.0,
        max_connections: int = 32,
    ) -> None:
        self.base = f"{api_base.rstrip('/')}/bot{token}/"
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(
        self,
        method: str,
        params: dict[str, Any],
        file: tuple[str, str, bytes] | None = None,
    ) -> ApiResult:
        """Call ``method``; ``file`` is (field, filename, content) for an upload."""
        try:
            if file is None:
                response = await self._http.post(self.base + method, json=params)
            else:
                field, filename, content = file
                form = {key: _form_value(value) for key, value in params.items()}
                response = await self._http.post(
                    self.base + method, data=form, files={field: (filename, content)}
                )
        except httpx.TimeoutException as error:
            # The request may have reached Telegram: a retry can duplicate the message, the one
            # case Telegram leaves us no way to tell (see notices/sender.py).
            return ApiResult(Verdict.TRANSIENT, None, f"timeout: {type(error).__name__}")
        except httpx.TransportError as error:
            return ApiResult(Verdict.TRANSIENT, None, f"connection: {type(error).__name__}")
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        return classify(response.status_code, body)


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def set_profile(api: BotApi, calls: Sequence[tuple[str, dict[str, Any]]]) -> list[str]:
    """Make the calls that set the bot's menu and description (``services.commands``), all at
    once; return what was refused. A refusal is logged, not raised: the bot works without its
    menu, and the next start tries again."""
    results = await asyncio.gather(*(api.call(method, params) for method, params in calls))
    refused = [
        f"{method}: {_reason(result)}"
        for (method, _), result in zip(calls, results, strict=True)
        if result.verdict is not Verdict.SENT
    ]
    for problem in refused:
        log.warning("the bot's profile was not set: %s", problem)
    return refused


def _reason(result: ApiResult) -> str:
    return f"{result.status or '-'} {result.description}".strip()
