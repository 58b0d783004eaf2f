"""The appeal clocks of the 信访工作条例 as rules: 30 calendar days to ask and 30 to answer,
a period ending on a rest day runs to the next working day, 复查 before 复核, nothing after."""

from __future__ import annotations

from datetime import date

from domain.appeals import (
    Earlier,
    answer_due,
    next_level,
    period_end,
    request_deadline,
    request_refusal,
    reviewer,
)
from domain.workdays import WorkCalendar

CALENDAR = WorkCalendar()
WORKDAY = CALENDAR.is_workday


def test_thirty_calendar_days_rolled_past_a_rest_day():
    # From Mon 2 Nov 2026, 30 days is Wed 2 Dec, a working day.
    assert period_end(date(2026, 11, 2), 30, is_workday=WORKDAY) == date(2026, 12, 2)
    # From Fri 6 Nov it is Sun 6 Dec, moved to Mon 7 Dec.
    assert period_end(date(2026, 11, 6), 30, is_workday=WORKDAY) == date(2026, 12, 7)
    # National Day: from Tue 1 Sep 2026, 30 days is Thu 1 Oct, a holiday; the next working day
    # after the Golden Week is the first after 7 Oct that the calendar says is worked.
    end = period_end(date(2026, 9, 1), 30, is_workday=WORKDAY)
    assert end > date(2026, 10, 1) and WORKDAY(end)
    assert all(not WORKDAY(date(2026, 10, d)) for d in range(1, end.day))
    assert answer_due(date(2026, 11, 6), is_workday=WORKDAY) == date(2026, 12, 7)


def refusal(**kw):
    base = dict(
        state="closed",
        own=True,
        replied_on=date(2026, 11, 2),
        earlier=(),
        today=date(2026, 11, 20),
        is_workday=WORKDAY,
    )
    return request_refusal(**{**base, **kw})


def test_who_may_ask_and_when():
    assert refusal() is None
    assert refusal(own=False) == "scope"
    assert refusal(state="investigating") == "state"
    assert refusal(today=date(2026, 12, 2)) is None  # the 30th day
    assert refusal(today=date(2026, 12, 3)) == "late"
    pending = (Earlier("review", date(2026, 11, 10), None),)
    assert refusal(earlier=pending) == "pending"
    reviewed = (Earlier("review", date(2026, 11, 10), date(2026, 11, 30), "upheld"),)
    # 复核 counts from the 复查 answer, not from the first reply.
    assert next_level(reviewed) == "recheck"
    assert refusal(earlier=reviewed, today=date(2026, 12, 28)) is None
    assert refusal(earlier=reviewed, today=date(2026, 12, 31)) == "late"
    assert request_deadline(
        replied_on=date(2026, 11, 2), earlier=reviewed, is_workday=WORKDAY
    ) == date(2026, 12, 30)
    both = (*reviewed, Earlier("recheck", date(2026, 12, 1), date(2026, 12, 10), "upheld"))
    assert refusal(earlier=both, today=date(2026, 12, 11)) == "final"
    assert request_deadline(replied_on=date(2026, 11, 2), earlier=both, is_workday=WORKDAY) is None


def test_the_office_above_answers():
    assert reviewer("unit", "review") == "bureau"
    assert reviewer("bureau", "review") == "investigator"
    assert reviewer("unit", "recheck") == "investigator"
