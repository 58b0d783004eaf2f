from __future__ import annotations

import string
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import workdays
from domain.workdays import (
    CalendarFileError,
    UnknownYearError,
    WorkCalendar,
    load_overrides,
    parse_overrides,
)
from messages.i18n import catalogue

EXAMPLE = Path(workdays.__file__).parent / "calendar_example.toml"
CALENDAR = WorkCalendar()
known_days = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 11, 30))
# Thirty working days on from any of these still fall in a year the calendar knows.
LAST_START = date(2026, 10, 31)
starts = st.dates(min_value=date(2005, 1, 1), max_value=LAST_START)


def fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_reasons_are_translated_with_the_same_fields() -> None:
    zh = catalogue("zh")
    reasons = [getattr(workdays, name) for name in dir(workdays) if name.startswith("REASON_")]
    assert len(reasons) == 11
    for reason in reasons:
        assert reason in zh, reason
        assert fields(zh[reason]) == fields(reason)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 2, 4), True),  # Sunday, 调休 for the Spring Festival
        (date(2024, 2, 10), False),  # 春节
        (date(2024, 9, 29), True),  # Sunday, 调休 for National Day
        (date(2024, 10, 1), False),
        (date(2024, 10, 7), False),  # Monday, still National Day
        (date(2024, 10, 8), True),
        (date(2024, 10, 12), True),  # Saturday, 调休
        (date(2025, 3, 1), False),  # an ordinary Saturday
        (date(2025, 3, 3), True),  # an ordinary Monday
        (date(2026, 1, 1), False),  # 元旦
    ],
)
def test_known_days(day: date, working: bool) -> None:
    assert CALENDAR.is_workday(day) is working


def test_add_workdays_across_national_day_2024() -> None:
    friday = date(2024, 9, 27)
    assert CALENDAR.add_workdays(friday, 1) == date(2024, 9, 29)  # the make-up Sunday
    assert CALENDAR.add_workdays(friday, 2) == date(2024, 9, 30)
    assert CALENDAR.add_workdays(friday, 3) == date(2024, 10, 8)
    assert CALENDAR.add_workdays(friday, 7) == date(2024, 10, 12)  # the make-up Saturday
    assert CALENDAR.add_workdays(date(2024, 10, 1), 0) == date(2024, 10, 8)
    assert CALENDAR.add_workdays(friday, 0) == friday
    assert CALENDAR.workdays_between(friday, date(2024, 10, 12)) == 7
    assert CALENDAR.next_workday(date(2024, 9, 30)) == date(2024, 10, 8)


def test_a_five_working_day_notice_opened_before_national_day() -> None:
    # Opened on Thursday 26 Sep 2024, the working days are 27 Sep, Sunday 29 Sep (调休), 30 Sep,
    # 8 Oct and 9 Oct: the notice closes on Wednesday 9 Oct, not on 3 Oct as plain weekdays say.
    assert CALENDAR.add_workdays(date(2024, 9, 26), 5) == date(2024, 10, 9)


def test_negative_n_is_refused() -> None:
    with pytest.raises(ValueError):
        CALENDAR.add_workdays(date(2024, 1, 2), -1)


def test_datetimes_are_refused() -> None:
    with pytest.raises(TypeError):
        CALENDAR.is_workday(datetime(2024, 10, 1, 12, 0))


def test_unknown_year_says_what_to_do() -> None:
    with pytest.raises(UnknownYearError) as caught:
        CALENDAR.is_workday(date(2027, 3, 1))
    assert caught.value.year == 2027
    message = str(caught.value)
    assert "2027" in message
    assert "GONGSHI_CALENDAR_FILE" in message
    assert "override file" in message
    assert not CALENDAR.knows_year(2027)
    assert CALENDAR.knows_year(2024)


def test_unknown_year_is_reached_by_counting_too() -> None:
    with pytest.raises(UnknownYearError):
        CALENDAR.add_workdays(date(2026, 12, 30), 5)


@pytest.mark.parametrize("year", [1999, 0, 10000])
def test_years_outside_any_data_are_unknown(year: int) -> None:
    assert not CALENDAR.knows_year(year)


def test_overrides_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text(
        '[2027]\nholidays = ["2027-01-01", 2027-02-05]\nworkdays = ["2027-02-14"]\n',
        encoding="utf-8",
    )
    calendar = WorkCalendar(load_overrides(path))
    assert calendar.knows_year(2027)
    assert not calendar.is_workday(date(2027, 1, 1))  # Friday, holiday
    assert not calendar.is_workday(date(2027, 2, 5))  # Friday, holiday
    assert calendar.is_workday(date(2027, 2, 14))  # Sunday, make-up day
    assert not calendar.is_workday(date(2027, 2, 13))  # an ordinary Saturday
    assert calendar.is_workday(date(2027, 1, 4))
    assert calendar.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert calendar.is_workday(date(2024, 2, 4))  # other years still come from the library
    assert not calendar.knows_year(2028)


def test_override_replaces_a_known_year() -> None:
    calendar = WorkCalendar(parse_overrides("[2024]\nholidays = []\nworkdays = []\n"))
    assert calendar.is_workday(date(2024, 10, 1))
    assert not calendar.is_workday(date(2024, 2, 4))


def test_example_file_parses_and_is_a_plausible_year() -> None:
    overrides = load_overrides(EXAMPLE)
    assert set(overrides.years) == {2027}
    calendar = WorkCalendar(overrides)
    assert not calendar.is_workday(date(2027, 10, 1))
    assert calendar.is_workday(date(2027, 2, 14))
    assert 240 <= calendar.workdays_between(date(2026, 12, 31), date(2027, 12, 31)) <= 255
    assert "EXAMPLE ONLY" in EXAMPLE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[2027\n", workdays.REASON_FILE_NOT_TOML),
        ("[year2027]\nholidays = []\nworkdays = []\n", workdays.REASON_FILE_SECTION),
        ("27 = 1\n", workdays.REASON_FILE_SECTION),
        ("[2027]\nworkdays = []\n", workdays.REASON_FILE_MISSING_KEY),
        ("[2027]\nholidays = []\n", workdays.REASON_FILE_MISSING_KEY),
        ("[2027]\nholidays = []\nworkdays = []\nholiday = []\n", workdays.REASON_FILE_UNKNOWN_KEY),
        ('[2027]\nholidays = "2027-01-01"\nworkdays = []\n', workdays.REASON_FILE_NOT_LIST),
        ('[2027]\nholidays = ["2027-13-01"]\nworkdays = []\n', workdays.REASON_FILE_BAD_DATE),
        ('[2027]\nholidays = ["1/1/2027"]\nworkdays = []\n', workdays.REASON_FILE_BAD_DATE),
        ("[2027]\nholidays = [20270101]\nworkdays = []\n", workdays.REASON_FILE_BAD_DATE),
        (
            "[2027]\nholidays = [2027-01-01T00:00:00]\nworkdays = []\n",
            workdays.REASON_FILE_BAD_DATE,
        ),
        ('[2027]\nholidays = ["2028-01-01"]\nworkdays = []\n', workdays.REASON_FILE_WRONG_YEAR),
        (
            '[2027]\nholidays = ["2027-02-14"]\nworkdays = ["2027-02-14"]\n',
            workdays.REASON_FILE_BOTH,
        ),
        (
            '[2027]\nholidays = []\nworkdays = ["2027-02-15"]\n',
            workdays.REASON_FILE_WEEKDAY_WORKDAY,
        ),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarFileError) as caught:
        load_overrides(path)
    assert caught.value.reason == reason
    assert str(path) in str(caught.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(CalendarFileError) as caught:
        load_overrides(path)
    assert caught.value.reason == workdays.REASON_FILE_UNREADABLE
    assert str(path) in str(caught.value)


def test_thirty_workdays_from_the_last_start_stay_in_a_known_year() -> None:
    assert CALENDAR.add_workdays(LAST_START, 30) <= date(2026, 12, 31)


@given(starts, st.integers(min_value=0, max_value=30))
def test_add_workdays_lands_on_a_workday_n_days_on(start: date, n: int) -> None:
    end = CALENDAR.add_workdays(start, n)
    assert CALENDAR.is_workday(end)
    assert end >= start
    if n >= 1:
        assert CALENDAR.workdays_between(start, end) == n
        assert CALENDAR.workdays_between(start, end - timedelta(days=1)) == n - 1


@given(known_days, known_days, known_days)
def test_workdays_between_adds_up(a: date, b: date, c: date) -> None:
    assert CALENDAR.workdays_between(a, b) + CALENDAR.workdays_between(b, c) == (
        CALENDAR.workdays_between(a, c)
    )
    assert CALENDAR.workdays_between(a, b) == -CALENDAR.workdays_between(b, a)


@given(known_days)
def test_next_workday_skips_only_days_off(day: date) -> None:
    following = CALENDAR.next_workday(day)
    assert following > day
    assert CALENDAR.is_workday(following)
    gap = day + timedelta(days=1)
    while gap < following:
        assert not CALENDAR.is_workday(gap)
        gap += timedelta(days=1)
