"""The settings of delivery and of the scheduler.

They are read from the bot's ``Settings`` when it has the field (``GONGSHI_OUTBOX_RATE`` and
so on), else the defaults below, which are Telegram's published limits.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class NoticeSettings:
    # Telegram's limits: about 30 messages a second in all, one a second per private chat,
    # twenty a minute per group or channel. On PostgreSQL every process takes its turns from
    # one budget in the database (notices.fleet_limits), so these are the fleet's limits;
    # SQLite runs one process, paced in memory.
    outbox_rate: float = 30.0
    outbox_private_per_second: float = 1.0
    outbox_group_per_minute: float = 20.0
    # Requests on the wire at once. Few: requests held up on the way (a slow network, a busy
    # server) arrive together, and more of them than Telegram's burst allowance means 429s.
    outbox_max_in_flight: int = 10
    # On PostgreSQL, share the limits above between all processes (off: each paces alone).
    outbox_fleet_limits: bool = True
    # A claimed row belongs to its sender this long; a sender that died leaves it to others.
    outbox_lease_seconds: float = 60.0
    outbox_poll_seconds: float = 0.2
    outbox_backoff_base: float = 1.0
    outbox_backoff_max: float = 300.0
    outbox_timeout_seconds: float = 15.0
    reminder_sweep_seconds: float = 300.0
    outbox_retention_days: int = 30
    leader_retry_seconds: float = 10.0
    deadlines_file: Path | None = None
    digest_weekday: int = 0  # Monday
    digest_hour: int = 9
    timezone: str = "Asia/Shanghai"
    api_base: str = "https://api.telegram.org"
    bot_token: str = ""

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> NoticeSettings:
        """Whatever ``settings`` has of ours, then ``overrides``."""
        values: dict[str, Any] = {}
        for item in fields(cls):
            if hasattr(settings, item.name):
                values[item.name] = getattr(settings, item.name)
        token: Any = getattr(settings, "bot_token", None)
        values["bot_token"] = (
            token.get_secret_value() if hasattr(token, "get_secret_value") else str(token or "")
        )
        values.update(overrides)
        return cls(**values)

    @property
    def global_burst(self) -> int:
        # A little slack absorbs the event loop's timer jitter at high rates; Telegram's own
        # buckets allow bursts larger than this.
        return max(2, min(10, int(self.outbox_rate / 20)))
