"""Units' deadlines fall on working days and the work the 公示 publishes is due before it opens,
whenever the cycle's 公示 opens (the demo opens it on the day it starts)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.deadlines import gongshi_window, plan_tasks
from domain.workdays import WorkCalendar
from notices.service import deadline_config

CALENDAR = WorkCalendar()
BEFORE_THE_GONGSHI = ("rules_filed", "assessment", "results_submitted")


def plan_for(opens: date) -> dict:
    config = deadline_config()
    closes = CALENDAR.add_workdays(opens, config.gongshi.workdays - 1)
    window = gongshi_window(
        year=2026, config=config, calendar=CALENDAR, opens_on=opens, closes_on=closes
    )
    planned = plan_tasks(year=2026, config=config, calendar=CALENDAR, window=window)
    return {task.kind: task for task in planned}


def test_no_deadline_of_the_seeds_calendar_falls_on_a_day_off():
    plan = plan_for(date(2026, 12, 16))
    assert date(2026, 12, 27).weekday() == 6  # the seeds' date is a Sunday
    assert all(CALENDAR.is_workday(task.due_on) for task in plan.values())


def test_a_gongshi_opened_early_in_december_has_the_assessment_due_before_it():
    plan = plan_for(date(2026, 12, 2))  # a Wednesday: the demo's 公示 may open on its first day
    assert plan["assessment"].due_on == date(2026, 12, 1)
    assert plan["results_submitted"].due_on == date(2026, 12, 1)
    assert plan["assessment"].starts_on <= plan["assessment"].due_on
    assert plan["rules_filed"].due_on == date(2026, 11, 30)
    assert plan["gongshi"].starts_on == date(2026, 12, 2)
    assert plan["renewals_signed"].starts_on > plan["gongshi"].due_on


workdays_in_autumn = st.dates(date(2026, 11, 2), date(2026, 12, 16)).filter(CALENDAR.is_workday)


@settings(max_examples=60, deadline=None)
@given(opens=workdays_in_autumn)
def test_whenever_the_gongshi_opens_its_work_comes_first_and_every_due_day_is_a_workday(opens):
    plan = plan_for(opens)
    for task in plan.values():
        assert CALENDAR.is_workday(task.due_on), task
        assert task.starts_on is None or task.starts_on <= task.due_on, task
    for kind in BEFORE_THE_GONGSHI:
        assert plan[kind].due_on < opens, (kind, plan[kind].due_on, opens)
