"""Telegram's limits as data, and the token buckets that enforce the rate limits.

Every number here is on by default so the bot meets Telegram's rules in the sandbox before it
meets them in production; tests and benchmarks change them at run time (`/_control/limits`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Limits:
    # Lengths, counted as Telegram counts them after entity parsing.
    max_text_length: int = 4096
    max_caption_length: int = 1024
    max_callback_data_bytes: int = 64
    max_callback_answer_length: int = 200
    max_buttons: int = 100
    # Bot API file limits: uploads by a bot, downloads through getFile.
    max_upload_bytes: int = 50 * 1024 * 1024
    max_photo_bytes: int = 10 * 1024 * 1024
    max_download_bytes: int = 20 * 1024 * 1024
    # Rate limits (token buckets). The bursts let a reply of two or three messages through at
    # once, as Telegram does, while a steady stream above the rate gets 429.
    rate_limits: bool = True
    global_per_second: float = 30.0
    global_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20
    # getUpdates waits at most this long whatever `timeout` the bot asks for.
    max_poll_timeout: float = 50.0
    # Webhook delivery: first retry delay, doubling up to the cap, and the per-request timeout.
    webhook_retry_initial: float = 0.2
    webhook_retry_max: float = 5.0
    webhook_timeout: float = 10.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, changes: dict[str, Any]) -> Limits:
        """A copy with `changes` applied; unknown names and wrong types raise ValueError."""
        known = {f.name: f for f in fields(self)}
        clean: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown limit {name!r}")
            current = getattr(self, name)
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
            elif isinstance(current, int):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{name} must be a non-negative integer")
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a non-negative number")
            clean[name] = float(value) if isinstance(current, float) else value
        return replace(self, **clean)


class TokenBucket:
    """`burst` tokens, refilled at `rate` per second; a send takes one."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1)
        self.tokens = float(self.burst)
        self.stamp = now

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_needed(self, now: float) -> float:
        """Seconds until a token is free (0 if one is free now)."""
        self._refill(now)
        if self.tokens >= 1 or self.rate <= 0:
            return 0.0 if self.tokens >= 1 else math.inf
        return (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class RateLimiter:
    """The three limits Telegram applies to sends: in all, per private chat, per group/channel."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[tuple[str, int], TokenBucket] = {}

    def reset(self) -> None:
        self._buckets.clear()

    def _bucket(self, key: tuple[str, int], rate: float, burst: int, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None or bucket.rate != rate or bucket.burst != max(burst, 1):
            bucket = TokenBucket(rate, burst, now)
            self._buckets[key] = bucket
        return bucket

    def check(self, limits: Limits, chat_id: int, chat_type: str) -> int:
        """0 if a message to `chat_id` may go now (and count it), else the seconds to wait."""
        if not limits.rate_limits:
            return 0
        now = self.clock()
        buckets = [self._bucket(("all", 0), limits.global_per_second, limits.global_burst, now)]
        if chat_type == "private":
            rate, burst = limits.private_per_second, limits.private_burst
        else:
            rate, burst = limits.group_per_minute / 60.0, limits.group_burst
        buckets.append(self._bucket(("chat", chat_id), rate, burst, now))
        wait = max(bucket.wait_needed(now) for bucket in buckets)
        if wait > 0:
            # Telegram answers whole seconds, never 0.
            return max(1, math.ceil(min(wait, 3600)))
        for bucket in buckets:
            bucket.take()
        return 0
