"""A 429 that comes back while the sender waits for a free slot: the slot it frees must not
carry another chat's message out before the retry_after. Telegram's 429 does not say whether
the chat or the bot hit the limit, so nothing goes to anyone before it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from notices.botapi import ApiResult, Verdict
from notices.config import NoticeSettings
from notices.sender import OutboxSender
from storage.db import transaction
from storage.outbox import enqueue

RETRY_AFTER = 1.5
CHATS = (501, 502, 503)


class SlowFirst429:
    """The first call answers 429 after a while, long enough for the sender to queue up for
    the one slot; every call's start is noted on the monotonic clock."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, int]] = []
        self.refused_at: float | None = None

    async def call(self, method: str, params: dict[str, Any], file: Any = None) -> ApiResult:
        self.calls.append((time.monotonic(), int(params["chat_id"])))
        if self.refused_at is None:
            await asyncio.sleep(0.3)
            self.refused_at = time.monotonic()
            return ApiResult(Verdict.RETRY_AFTER, 429, "Too Many Requests", RETRY_AFTER)
        return ApiResult(Verdict.SENT, 200, "", None, len(self.calls))


async def test_nothing_leaves_through_the_slot_a_429_frees_before_its_retry_after(storage):
    async with transaction(storage.sessions) as session:
        for chat in CHATS:
            await enqueue(session, chat_id=chat, kind="notice", text=f"通知{chat}")
    api = SlowFirst429()
    settings = NoticeSettings(
        api_base="http://127.0.0.1:9", bot_token="7000000001:race", outbox_poll_seconds=0.05,
        outbox_max_in_flight=1,
    )  # fmt: skip
    sender = OutboxSender(sessions=storage.sessions, api=api, settings=settings)  # type: ignore[arg-type]

    await sender.drain(timeout=20, wait_for_delayed=True)

    assert api.refused_at is not None and sender.stats.rate_limited == 1
    later = [at for at, _ in api.calls[1:]]
    assert len(later) == len(CHATS)  # the refused one again, and the two others
    assert min(later) >= api.refused_at + RETRY_AFTER - 0.01
