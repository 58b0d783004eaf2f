"""Appeals of a concluded case: 复查, then 复核, on the clocks of the 信访工作条例 (2022).

Art. 35: a complainant who does not accept the handling opinion may ask for 复查 within 30 days
of receiving the written reply; the reviewing office answers within 30 days of receiving the
request. Art. 36: who does not accept the 复查 answer may ask for 复核 within 30 days of
receiving it; the answer within 30 days. After the 复核, the same facts and reasons are not
taken again (不再受理): no third appeal.

Which days count. The 条例 writes 日, not 工作日, for all four periods, so each runs in
**calendar days**, from the day after the reply or the request (the first day is not counted).
When the last day falls on a rest day of the working-day calendar (a weekend not made a working
day by 调休, or a statutory holiday), the period ends on the next working day, as periods do in
Chinese procedure (民事诉讼法 art. 85; 行政诉讼法 art. 83); that is the one place the calendar
(domain.workdays) decides. Reminders warn one working day before the due day, as the case
clocks do (domain.cases.alarm).

Who answers. The office above the one that concluded the case: a unit's case is reviewed by
the employment bureau (就业局), the bureau's by the 人社局. The county's bot has no office
above the 人社局, so its own cases, and every 复核, are answered by the 人社局 (its
leadership, recorded as such); the answer names the office. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from messages import N_

Level = Literal["review", "recheck"]
LEVELS: tuple[Level, ...] = ("review", "recheck")
LEVEL_NAMES = {"review": N_("复查 (review)"), "recheck": N_("复核 (re-examination)")}
REQUEST_DAYS = 30  # to ask, from the written reply (art. 35, 36)
ANSWER_DAYS = 30  # to answer, from the request
# How long a closed case keeps the chat it was filed from, at least, so that the complainant can
# ask and be answered there: the request period, plus the longest run of rest days that can
# push its end (the Spring Festival's, at most 9 days) (storage.purge).
CHAT_KEPT_DAYS = REQUEST_DAYS + 9
REASONS_MAX = 1000
ANSWER_MAX = 2000

Outcome = Literal["upheld", "changed"]
OUTCOMES: tuple[Outcome, ...] = ("upheld", "changed")
OUTCOME_NAMES = {
    "upheld": N_("the handling opinion is upheld (维持)"),
    "changed": N_("the handling opinion is changed (变更)"),
}

# How the figures and the documents name levels and outcomes, in the law's words.
SHORT_NAMES = {"review": "复查", "recheck": "复核", "upheld": "维持", "changed": "变更"}

# The office that answers each level, by the route the case was concluded on.
REVIEWERS: dict[tuple[str, Level], str] = {
    ("unit", "review"): "bureau",
    ("bureau", "review"): "investigator",
    ("investigators", "review"): "investigator",
    ("unit", "recheck"): "investigator",
    ("bureau", "recheck"): "investigator",
    ("investigators", "recheck"): "investigator",
}

Refusal = Literal["state", "scope", "late", "pending", "final", "input"]


@dataclass(frozen=True)
class Earlier:
    """An appeal already made on the case."""

    level: str
    requested_on: date
    answered_on: date | None
    outcome: str | None = None


def period_end(start: date, days: int, *, is_workday: Callable[[date], bool]) -> date:
    """The last day of a period of ``days`` calendar days counted from the day after
    ``start``; a rest day at the end moves it to the next working day."""
    end = start + timedelta(days=days)
    while not is_workday(end):
        end += timedelta(days=1)
    return end


def next_level(earlier: Sequence[Earlier]) -> Level | None:
    """The appeal the complainant may ask for next, or None after the 复核."""
    levels = [e.level for e in earlier]
    if "recheck" in levels:
        return None
    return "recheck" if "review" in levels else "review"


def request_refusal(
    *,
    state: str,
    own: bool,
    replied_on: date | None,
    earlier: Sequence[Earlier],
    today: date,
    is_workday: Callable[[date], bool],
) -> Refusal | None:
    """Why the complainant may not ask for the next appeal now, or None when they may.
    ``replied_on``: the day of the written reply (the case closed)."""
    if not own:
        return "scope"
    if state != "closed" or replied_on is None:
        return "state"
    if any(e.answered_on is None for e in earlier):
        return "pending"
    level = next_level(earlier)
    if level is None:
        return "final"
    since = replied_on if level == "review" else earlier[-1].answered_on
    assert since is not None
    if today > period_end(since, REQUEST_DAYS, is_workday=is_workday):
        return "late"
    return None


def request_deadline(
    *, replied_on: date, earlier: Sequence[Earlier], is_workday: Callable[[date], bool]
) -> date | None:
    """The last day to ask for the next appeal, or None when none is left or one is pending."""
    level = next_level(earlier)
    if level is None or any(e.answered_on is None for e in earlier):
        return None
    since = replied_on if level == "review" else earlier[-1].answered_on
    assert since is not None
    return period_end(since, REQUEST_DAYS, is_workday=is_workday)


def answer_due(requested_on: date, *, is_workday: Callable[[date], bool]) -> date:
    return period_end(requested_on, ANSWER_DAYS, is_workday=is_workday)


def reviewer(route: str, level: Level) -> str:
    """The role that answers ``level`` on a case concluded on ``route``."""
    return REVIEWERS.get((route, level), "investigator")


def check_text(text: str, limit: int) -> str | None:
    """The text, trimmed, or None when it is empty or longer than ``limit``."""
    cleaned = text.strip()
    return cleaned if cleaned and len(cleaned) <= limit else None
