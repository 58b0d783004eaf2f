"""How often one person may search names: a few a minute and a hundred a day by default.

Counted in memory, as the hotline's message throttle is: no record of who searched what is
written anywhere, a restart forgets the counts and each process counts its own share, which
only softens the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.complaints import MessageThrottle
from messages import N_

TOO_FAST = N_(
    "You are searching faster than the lists allow: at most {n} searches a minute. Please wait "
    "a minute and try again."
)
TOO_MANY = N_(
    "You have made {n} searches in the last 24 hours, the most the lists allow one person. "
    "Please browse the lists by unit, or search again tomorrow."
)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class SearchLimits:
    """Per-user search limits; another instance is given as ``Deps.search_limits``."""

    per_minute: int = 10
    per_day: int = 100


@dataclass
class SearchThrottle:
    """The hotline's one-minute window, and a day counted from a user's first search in it."""

    limits: SearchLimits
    _minute: MessageThrottle = field(init=False)
    _days: dict[int, tuple[datetime, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._minute = MessageThrottle(self.limits.per_minute)

    def refusal(self, user_id: int, now: datetime) -> str | None:
        """None when the search may run (and it is counted), else why not: the message id."""
        started, count = self._days.get(user_id, (now, 0))
        if now - started >= DAY:
            started, count = now, 0
        if count >= self.limits.per_day:
            return TOO_MANY
        if not self._minute.allow(user_id, now):
            return TOO_FAST
        self._days[user_id] = (started, count + 1)
        if len(self._days) > 10_000:
            self._days = {u: d for u, d in self._days.items() if now - d[0] < DAY}
        return None
