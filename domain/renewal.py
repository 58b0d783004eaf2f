"""Who may renew, as the county reads 六(一), and what the renewal paperwork is.

六(一) names 合格 as the condition for renewing the post agreement, while the only consequence it
gives 基本合格 is the admonishment talk (六(四)). The reading is a county's choice, declared here
and read from ``GONGSHI_BASIC_MAY_RENEW``: by default 基本合格 may renew (with the talk); a
county that reads 六(一) strictly switches it off, and then only 合格 renews.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from messages import N_


@dataclass(frozen=True)
class RenewalSettings:
    """The renewal rules a county chooses; the import, the worker's view, the paperwork and
    the subsidy export all decide with the same one."""

    # 基本合格 may renew (with the admonishment talk); False: only 合格 renews (六(一) strictly).
    basic_may_renew: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> RenewalSettings:
        """Whatever ``settings`` has of ours (``basic_may_renew``), else the defaults."""
        chosen = getattr(settings, "basic_may_renew", None)
        return cls() if chosen is None else cls(basic_may_renew=bool(chosen))


# --- the paperwork per worker once the 公示 closes (五(六), 六(一)(二)(四)) ------------------

# A renewed agreement runs one year (六(一)); a non-renewal has its written reason (六(二)) and
# two tasks for the unit, the social-insurance change and the unemployment registration; two
# 不合格 in a row add the end of the labour contract (六(四)).
SOCIAL_INSURANCE = "si_change"
UNEMPLOYMENT = "unemployment_reg"
END_CONTRACT = "end_contract"
WORKER_TASKS = (SOCIAL_INSURANCE, UNEMPLOYMENT, END_CONTRACT)
# Working days the unit has for each task after it records the reason (ours: the plan gives
# none; two weeks is what a county office allows for a 手续).
TASK_WORKDAYS = 10

REASON_MIN_CHARS = 4
REASON_MAX_CHARS = 500
# How far the agreement's first day may lie from today: a typo of the year is refused.
START_WINDOW_DAYS = 400

# Message ids (English); the Chinese is in messages/locales/zh_CN/renewal.po.
REASON_SHORT = N_("Please write the reason in at least {n} characters.")
REASON_LONG = N_("The reason is longer than {n} characters; please shorten it.")
START_UNREADABLE = N_(
    "Please type the first day of the agreement as a date, like 2027-01-01 or 2027年1月1日."
)
START_OUT_OF_RANGE = N_("The first day must lie within a year of today.")
# Shown where a non-renewal's reason was, once the retention purge emptied it (storage.purge).
REASON_DELETED = N_("(the written reason was deleted at the end of its retention period)")


class PaperworkError(ValueError):
    """Input the paperwork refuses; ``reason`` is a message id with ``params``."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.params = params
        super().__init__(reason.format(**params))


def worker_task_kind(base: str, worker_id: int) -> str:
    """The task kind of one worker's task: one per worker, task and cycle (``si_change:42``)."""
    if base not in WORKER_TASKS:
        raise ValueError(f"unknown worker task {base!r}")
    return f"{base}:{worker_id}"


def worker_task_base(kind: str) -> str | None:
    """The worker task a kind names (``si_change`` of ``si_change:42``), else None."""
    base, sep, rest = kind.partition(":")
    return base if sep and base in WORKER_TASKS and rest.isdigit() else None


def tasks_after_non_renewal(*, fails_twice: bool) -> tuple[str, ...]:
    """The unit's tasks for one worker not renewed, in the order shown."""
    return (SOCIAL_INSURANCE, UNEMPLOYMENT, *((END_CONTRACT,) if fails_twice else ()))


def agreement_term(starts_on: date) -> tuple[date, date]:
    """The one-year term from ``starts_on``: to the day before the same date a year later
    (29 February starts a term that ends on 28 February)."""
    try:
        following = starts_on.replace(year=starts_on.year + 1)
    except ValueError:  # 29 February
        following = date(starts_on.year + 1, 3, 1)
    return starts_on, following - timedelta(days=1)


def check_start(starts_on: date, *, today: date) -> date:
    if abs((starts_on - today).days) > START_WINDOW_DAYS:
        raise PaperworkError(START_OUT_OF_RANGE)
    return starts_on


_DATE = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")


def parse_start(text: str, *, today: date) -> date:
    """The agreement's first day as typed (2027-01-01, 2027/1/1, 2027年1月1日), within a
    year of today."""
    found = _DATE.match(unicodedata.normalize("NFKC", text[:40]))
    if found is None:
        raise PaperworkError(START_UNREADABLE)
    try:
        day = date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise PaperworkError(START_UNREADABLE) from None
    return check_start(day, today=today)


def clean_reason(text: str) -> str:
    """The written reason, its spacing tidied, blank lines and control characters removed;
    bounded."""
    kept = "".join(ch for ch in text if ch in "\n" or unicodedata.category(ch)[0] != "C")
    lines = (" ".join(line.split()) for line in kept.splitlines())
    reason = "\n".join(line for line in lines if line)
    if len(reason) < REASON_MIN_CHARS:
        raise PaperworkError(REASON_SHORT, n=REASON_MIN_CHARS)
    if len(reason) > REASON_MAX_CHARS:
        raise PaperworkError(REASON_LONG, n=REASON_MAX_CHARS)
    return reason


def reason_deleted(*, outcome: str, reason: str) -> bool:
    """Whether a non-renewal's written reason was emptied by the retention purge: a unit
    cannot report a non-renewal without one (``clean_reason``), so an empty reason on a
    non-renewal is always the purge's, and is shown as ``REASON_DELETED``, never as blank."""
    return outcome == "not_renewed" and not reason


class PaperState(StrEnum):
    """Where one worker's paperwork stands, in the order a unit works through it."""

    TO_SIGN = "to_sign"  # renews, agreement not yet signed
    REASON_NEEDED = "reason_needed"  # not renewed, no written reason yet
    TASKS_OPEN = "tasks_open"  # reason written, a task still open
    DONE = "done"


def paper_state(*, renews: bool, recorded: str | None, open_tasks: int) -> PaperState:
    """``recorded``: ``renewed`` or ``not_renewed`` once the unit recorded it, else None."""
    if recorded == "renewed":
        return PaperState.DONE
    if recorded == "not_renewed":
        return PaperState.TASKS_OPEN if open_tasks else PaperState.DONE
    return PaperState.TO_SIGN if renews else PaperState.REASON_NEEDED
