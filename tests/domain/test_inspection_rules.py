"""The inspection's rules: the window on working days and the split balanced by workers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import inspection as rules
from domain.workdays import WorkCalendar


def test_the_window_moves_onto_working_days():
    # 19 December 2026 is a Saturday and the 26th too: Monday 21st to Friday 25th.
    window = rules.default_window(2026, WorkCalendar())
    assert (window.starts_on, window.due_on) == (date(2026, 12, 21), date(2026, 12, 25))
    # 2025: the 19th is a Friday, the 26th a Friday too.
    window = rules.default_window(2025, WorkCalendar())
    assert (window.starts_on, window.due_on) == (date(2025, 12, 19), date(2025, 12, 26))


def test_a_window_due_before_it_starts_is_refused():
    with pytest.raises(rules.PlanError):
        rules.window(date(2026, 12, 26), date(2026, 12, 19))


def test_the_split_balances_workers():
    workers = {1: 5, 2: 3, 3: 2, 4: 1}
    split = rules.propose_split(workers, 2)
    assert rules.group_loads(split, workers) == {1: 6, 2: 5}
    assert split[1] != split[2]  # the two biggest never share a group


@given(
    st.dictionaries(st.integers(1, 500), st.integers(0, 300), max_size=40),
    st.integers(1, 6),
)
def test_every_unit_in_exactly_one_group_and_no_group_far_heavier(workers, groups):
    split = rules.propose_split(workers, groups)
    assert set(split) == set(workers)
    assert set(split.values()) <= set(range(1, groups + 1))
    loads = rules.group_loads(split, workers)
    heaviest = max(loads.values(), default=0)
    lightest = min((loads.get(n, 0) for n in range(1, groups + 1)), default=0)
    # Greedy's bound: the heaviest group exceeds the lightest by at most the biggest unit.
    assert heaviest - lightest <= max(workers.values(), default=0)


def test_departments_and_names_are_checked():
    assert rules.department("纪检委") == "discipline"
    assert rules.department(" 审计 ") == "audit"
    with pytest.raises(rules.PlanError):
        rules.department("公安")
    with pytest.raises(rules.PlanError):
        rules.clean_name("张\n红勇")
    with pytest.raises(rules.PlanError):
        rules.clean_name("x" * 65)
    assert rules.clean_name(" 张红勇 ") == "张红勇"


def test_a_session_typed_in_one_line():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from domain.verification_sessions import SessionInputError, parse_session, reminder_due

    window = {"year": 2026, "starts_on": date(2026, 12, 21), "due_on": date(2026, 12, 25)}
    shanghai = ZoneInfo("Asia/Shanghai")
    got = parse_session("12-22 09:00 县人社局三楼会议室", **window)
    assert got.starts_at == datetime(2026, 12, 22, 9, 0, tzinfo=shanghai)
    assert got.place == "县人社局三楼会议室"
    got = parse_session("１２月２３日 14点30 县政府  大院", **window)
    assert got.starts_at == datetime(2026, 12, 23, 14, 30, tzinfo=shanghai)
    assert got.place == "县政府 大院"
    for bad in ("明天上午", "12-19 09:00 会议室", "12-22 25:00 会议室", "12-22 09:00", ""):
        with pytest.raises(SessionInputError):
            parse_session(bad, **window)
    starts = datetime(2026, 12, 22, 9, 0, tzinfo=shanghai)
    assert not reminder_due(starts, datetime(2026, 12, 21, 8, 59, tzinfo=shanghai))
    assert reminder_due(starts, datetime(2026, 12, 21, 9, 0, tzinfo=shanghai))
    assert not reminder_due(starts, starts)
