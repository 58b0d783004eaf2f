"""The units' calendar of SPEC.md §4 and which reminder a day calls for: pure rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.deadlines import (
    AfterWindow,
    DeadlineConfigError,
    MonthDay,
    ReminderPolicy,
    gongshi_window,
    parse_config,
    plan_tasks,
    reminders_due,
)
from domain.workdays import UnknownYearError, WorkCalendar
from notices.service import deadline_config

CALENDAR = WorkCalendar()
POLICY = ReminderPolicy()


def plan_2026(config=None, window=None):
    config = config or deadline_config()
    window = window or gongshi_window(year=2026, config=config, calendar=CALENDAR)
    return {
        p.kind: p for p in plan_tasks(year=2026, config=config, calendar=CALENDAR, window=window)
    }


def test_the_seeds_calendar_for_2026():
    plan = plan_2026()
    assert plan["rules_filed"].due_on == date(2026, 11, 30)  # before the assessment starts
    assert (plan["assessment"].starts_on, plan["assessment"].due_on) == (
        date(2026, 12, 1),
        date(2026, 12, 15),
    )
    assert plan["results_submitted"].due_on == date(2026, 12, 15)
    assert plan["self_check"].due_on == date(2026, 12, 18)  # before the inspection of Dec 19
    # The seeds' 27 December is a Sunday: due on Friday the 25th, the last working day before.
    assert (plan["verification"].starts_on, plan["verification"].due_on) == (
        date(2026, 12, 19),
        date(2026, 12, 25),
    )
    assert plan["insurance_vouchers"].due_on == date(2026, 12, 25)
    assert not plan["verification"].needs_file and plan["insurance_vouchers"].needs_file
    # 公示 by default: Wed Dec 16 for five working days, so it closes Tue Dec 22; the work
    # after it is due five working days later.
    assert (plan["gongshi"].starts_on, plan["gongshi"].due_on) == (
        date(2026, 12, 16),
        date(2026, 12, 22),
    )
    for kind in ("renewals_signed", "non_renewals_reported", "admonishment_talks"):
        assert plan[kind].starts_on == date(2026, 12, 23)
        assert plan[kind].due_on == date(2026, 12, 29)


def test_the_cycles_own_window_moves_what_follows_the_gongshi():
    config = deadline_config()
    window = gongshi_window(
        year=2026,
        config=config,
        calendar=CALENDAR,
        opens_on=date(2026, 12, 17),
        closes_on=date(2026, 12, 23),
    )
    plan = plan_2026(config, window)
    assert plan["gongshi"].due_on == date(2026, 12, 23)
    assert plan["renewals_signed"].due_on == date(2026, 12, 30)


def test_an_override_changes_only_what_it_names():
    base = deadline_config()
    changed = parse_config(
        """
        [reminders]
        before_workdays = [5, 1]
        escalate_after_workdays = 0

        [[task]]
        kind = "self_check"
        due = "12-17"

        [[task]]
        kind = "admonishment_talks"
        enabled = false

        [[task]]
        kind = "training"
        title = "岗位培训"
        due = { after = "gongshi_closes", workdays = 2 }
        needs_file = false
        """,
        source="2026.toml",
        base=base,
    )
    assert changed.reminders.before_workdays == (5, 1)
    assert changed.reminders.escalate_after_workdays == 0
    assert changed.reminders.on_day  # untouched
    kinds = {rule.kind: rule for rule in changed.tasks}
    assert kinds["self_check"].due == MonthDay(12, 17)
    assert kinds["self_check"].starts == MonthDay(12, 1)  # kept from the defaults
    assert "admonishment_talks" not in kinds
    assert kinds["training"].due == AfterWindow("gongshi_closes", 2)
    assert plan_2026(changed)["training"].due_on == date(2026, 12, 24)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[reminders]\nbefore_workdays = 3\n", "before_workdays"),
        ("[reminders]\nsend_from_hour = 25\n", "send_from_hour"),
        ("[reminders]\nsoon = true\n", 'unknown key "soon"'),
        ('[[task]]\nkind = "x"\n', 'task "x" has no due date'),
        ('[[task]]\nkind = "x"\ndue = "13-01"\n', "13-01"),
        ('[[task]]\nkind = "x"\ndue = { after = "tomorrow", workdays = 1 }\n', "tomorrow"),
        ("[[task]\n", "not valid TOML"),
    ],
)
def test_bad_files_are_named_and_explained(text, fragment):
    with pytest.raises(DeadlineConfigError) as caught:
        parse_config(text, source="bad.toml", base=deadline_config())
    assert "bad.toml" in str(caught.value)
    assert fragment in str(caught.value)


def test_a_task_starting_after_its_due_day_is_refused():
    config = parse_config('[[task]]\nkind = "x"\nstarts = "12-20"\ndue = "12-10"\n')
    with pytest.raises(DeadlineConfigError, match="starts on 2026-12-20"):
        plan_2026(config)


def kinds_on(day: date, due: date, policy: ReminderPolicy = POLICY) -> list[tuple[str, str, int]]:
    return [
        (r.kind, r.audience, r.workdays)
        for r in reminders_due(due_on=due, today=day, calendar=CALENDAR, policy=policy)
    ]


def test_reminders_3_and_1_working_days_before_on_the_day_and_daily_after():
    due = date(2026, 12, 15)  # a Tuesday
    schedule = {}
    day = date(2026, 12, 1)
    while day <= date(2026, 12, 31):
        found = kinds_on(day, due)
        if found:
            schedule[day] = found
        day += timedelta(days=1)
    assert schedule[date(2026, 12, 10)] == [("before", "unit", 3)]  # Thu, Fri, Mon, Tue
    assert schedule[date(2026, 12, 14)] == [("before", "unit", 1)]
    assert schedule[date(2026, 12, 15)] == [("on_day", "unit", 0)]
    assert schedule[date(2026, 12, 16)] == [("overdue", "unit", 1)]
    assert schedule[date(2026, 12, 17)] == [
        ("overdue", "unit", 2),
        ("escalation", "bureau", 2),
    ]
    assert date(2026, 12, 11) not in schedule  # 2 working days before: no reminder
    assert date(2026, 12, 19) not in schedule  # a Saturday: never on a day off
    assert all(CALENDAR.is_workday(d) for d in schedule)
    overdue_days = [d for d, found in schedule.items() if found[0][0] == "overdue"]
    assert len(overdue_days) == CALENDAR.workdays_between(due, date(2026, 12, 31))


def test_a_due_day_on_a_sunday_is_announced_on_the_friday_before():
    due = date(2026, 12, 27)  # Sunday: verification ends
    assert kinds_on(date(2026, 12, 22), due) == [("before", "unit", 3)]
    assert kinds_on(date(2026, 12, 24), due) == [("before", "unit", 1)]
    assert kinds_on(date(2026, 12, 25), due) == [("on_day", "unit", 0)]
    assert kinds_on(date(2026, 12, 27), due) == []
    assert kinds_on(date(2026, 12, 28), due) == [("overdue", "unit", 1)]


def test_escalation_and_overdue_can_be_turned_off():
    quiet = ReminderPolicy(overdue_daily=False, escalate_after_workdays=0, on_day=False)
    due = date(2026, 12, 15)
    assert kinds_on(date(2026, 12, 15), due, quiet) == []
    assert kinds_on(date(2026, 12, 21), due, quiet) == []
    assert kinds_on(date(2026, 12, 14), due, quiet) == [("before", "unit", 1)]


def test_policy_survives_the_cycle_settings_json():
    policy = ReminderPolicy(before_workdays=(5, 2), send_from_hour=8)
    assert ReminderPolicy.from_json(policy.to_json()) == policy
    assert ReminderPolicy.from_json(None) == ReminderPolicy()


def test_an_unknown_year_is_an_error_not_a_guess():
    with pytest.raises(UnknownYearError) as caught:
        kinds_on(date(2027, 1, 4), date(2026, 12, 29))
    assert caught.value.year == 2027
    assert "GONGSHI_CALENDAR_FILE" in str(caught.value)
    # Planning a 2027 cycle fails the same way, before anything is written.
    with pytest.raises(UnknownYearError):
        config = deadline_config()
        plan_tasks(
            year=2027,
            config=config,
            calendar=CALENDAR,
            window=gongshi_window(year=2027, config=config, calendar=CALENDAR),
        )
